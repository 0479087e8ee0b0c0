"""民主评议党员 pages: the branch's (start, the members' self-assessments and the peer
review's tallies, the committee's proposal, the vote at the 支部党员大会, the decision) and
the member's own (self-assessment and peer review, phone first)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orglife.appraisal import (
    appraisal_decide,
    appraisal_start,
    appraisal_vote_open,
    excellent_limit,
    grades_propose,
    peer_review,
    self_assess,
)
from tenants.orglife.forms_appraisal import (
    AppraisalStartForm,
    AppraisalVoteForm,
    DecideForm,
    GradesForm,
    SelfForm,
)
from tenants.orglife.models import (
    Appraisal,
    AppraisalEntry,
    AppraisalRater,
    Grade,
    Meeting,
)
from tenants.orglife.selectors import open_assemblies
from tenants.orglife.views import submit
from tenants.orglife.voting import outcome_of
from tenants.orgs.models import Organization
from zhdj.web.access import scoped_page
from zhdj.web.query import MAX_ID

MANAGE = Perm.ORGLIFE_MANAGE


@never_cache
@scoped_page(permission=MANAGE)
def appraisals(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = AppraisalStartForm(request.POST or None, scope=scope)

    def again(f: AppraisalStartForm) -> HttpResponse:
        rows = Appraisal.objects.visible_to(scope, MANAGE).select_related("org")
        return render(
            request,
            "orglife/appraisals.html",
            {"form": f, "rows": rows[:100]},
            status=400 if f.is_bound else 200,
        )

    if request.method != "POST":
        return again(form)
    started: list[Appraisal] = []
    return submit(
        request,
        form,
        lambda data: started.append(
            appraisal_start(
                scope=scope,
                org=Organization.objects.get(pk=data["org"]),
                year=data["year"],
                actor=request.user,
            )
        ),
        done="民主评议已开始，参评党员已收到通知。",
        to=reverse("orglife:appraisals"),
        again=again,
    )


def _appraisal(scope: Scope, appraisal_id: int) -> Appraisal:
    row = (
        Appraisal.objects.visible_to(scope, MANAGE)
        .select_related("org", "ballot__meeting")
        .filter(pk=min(appraisal_id, MAX_ID))
        .first()
    )
    if row is None:
        raise Http404("民主评议不存在")
    return row


def _entries(appraisal: Appraisal) -> list[AppraisalEntry]:
    return list(appraisal.entries.select_related("member", "tally").order_by("member__name_pinyin"))


def _detail(request: HttpRequest, appraisal: Appraisal, **forms: object) -> HttpResponse:
    entries = _entries(appraisal)
    members = [(e.member_id, e.member.name) for e in entries]
    unqualified = [(e.member_id, e.member.name) for e in entries if e.proposed == Grade.UNQUALIFIED]
    ballot = appraisal.ballot
    return render(
        request,
        "orglife/appraisal.html",
        {
            "appraisal": appraisal,
            "entries": entries,
            "reviewed": AppraisalRater.objects.filter(appraisal=appraisal).count(),
            "limit": excellent_limit(len(entries)),
            "propose_form": forms.get("propose_form")
            or GradesForm(
                members=members,
                initial_grades={e.member_id: e.proposed for e in entries},
                prefix="p",
            ),
            "vote_form": forms.get("vote_form")
            or AppraisalVoteForm(meetings=open_assemblies(appraisal.org_id)),
            "decide_form": forms.get("decide_form") or DecideForm(unqualified=unqualified),
            "ballot": ballot,
            "outcome": outcome_of(ballot) if ballot is not None and not ballot.is_open else None,
        },
        status=400 if forms else 200,
    )


@never_cache
@scoped_page(permission=MANAGE)
def appraisal(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    return _detail(request, _appraisal(scope, appraisal_id))


@require_POST
@scoped_page(permission=MANAGE)
def propose(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    row = _appraisal(scope, appraisal_id)
    members = [(e.member_id, e.member.name) for e in _entries(row)]
    return submit(
        request,
        GradesForm(request.POST, members=members, prefix="p"),
        lambda data: grades_propose(
            scope=scope,
            appraisal=row,
            proposed={int(k[2:]): v for k, v in data.items() if k.startswith("g_")},
        ),
        done="支委会评定意见已保存。",
        to=reverse("orglife:appraisal", args=[row.pk]),
        again=lambda f: _detail(request, row, propose_form=f),
    )


@require_POST
@scoped_page(permission=MANAGE)
def vote(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    row = _appraisal(scope, appraisal_id)
    return submit(
        request,
        AppraisalVoteForm(request.POST, meetings=open_assemblies(row.org_id)),
        lambda data: appraisal_vote_open(
            scope=scope,
            appraisal=row,
            meeting=Meeting.objects.get(pk=data["meeting"]),
            actor=request.user,
        ),
        done="评定意见已提交支部党员大会表决，计票后回到本页作出决定。",
        to=reverse("orglife:appraisal", args=[row.pk]),
        again=lambda f: _detail(request, row, vote_form=f),
    )


@require_POST
@scoped_page(permission=MANAGE)
def decide(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    row = _appraisal(scope, appraisal_id)
    unqualified = [
        (e.member_id, e.member.name) for e in _entries(row) if e.proposed == Grade.UNQUALIFIED
    ]
    form = DecideForm(request.POST, unqualified=unqualified)
    return submit(
        request,
        form,
        lambda data: appraisal_decide(
            scope=scope, appraisal=row, handling=form.handling(), actor=request.user
        ),
        done="民主评议结果已确定。",
        to=reverse("orglife:appraisal", args=[row.pk]),
        again=lambda f: _detail(request, row, decide_form=f),
    )


def _own(scope: Scope, appraisal_id: int) -> AppraisalEntry:
    entry = (
        AppraisalEntry.objects.filter(
            appraisal_id=min(appraisal_id, MAX_ID), member_id=scope.member_id
        )
        .select_related("appraisal__org")
        .first()
        if scope.member_id is not None
        else None
    )
    if entry is None:
        raise Http404("民主评议不存在")
    return entry


def _mine(
    request: HttpRequest, scope: Scope, entry: AppraisalEntry, **forms: object
) -> HttpResponse:
    appraisal = entry.appraisal
    others = [
        (e.member_id, e.member.name)
        for e in appraisal.entries.select_related("member")
        .exclude(pk=entry.pk)
        .order_by("member__name_pinyin")
    ]
    return render(
        request,
        "orglife/appraisal_mine.html",
        {
            "entry": entry,
            "appraisal": appraisal,
            "reviewed": AppraisalRater.objects.filter(
                appraisal=appraisal, member_id=scope.member_id
            ).exists(),
            "self_form": forms.get("self_form")
            or SelfForm(initial={"text": entry.self_assessment}),
            "peer_form": forms.get("peer_form") or GradesForm(members=others, prefix="r"),
        },
        status=400 if forms else 200,
    )


@never_cache
@scoped_page()
def mine(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    return _mine(request, scope, _own(scope, appraisal_id))


@require_POST
@scoped_page()
def mine_self(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    entry = _own(scope, appraisal_id)
    return submit(
        request,
        SelfForm(request.POST),
        lambda data: self_assess(
            appraisal=entry.appraisal, member_id=scope.member_id, text=data["text"]
        ),
        done="个人自评已保存。",
        to=reverse("orglife:appraisal-mine", args=[entry.appraisal_id]),
        again=lambda f: _mine(request, scope, entry, self_form=f),
    )


@require_POST
@scoped_page()
def mine_peer(request: HttpRequest, appraisal_id: int, *, scope: Scope) -> HttpResponse:
    entry = _own(scope, appraisal_id)
    others = [
        (e.member_id, e.member.name)
        for e in entry.appraisal.entries.select_related("member").exclude(pk=entry.pk)
    ]
    form = GradesForm(request.POST, members=others, prefix="r")
    return submit(
        request,
        form,
        lambda data: peer_review(
            appraisal=entry.appraisal, member_id=scope.member_id, grades=form.grades()
        ),
        done="互评已提交（不记名）。",
        to=reverse("orglife:appraisal-mine", args=[entry.appraisal_id]),
        again=lambda f: _mine(request, scope, entry, peer_form=f),
    )
