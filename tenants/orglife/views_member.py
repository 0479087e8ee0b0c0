"""A member's own organizational life, phone first (我的组织生活): the notices of the
meetings they are expected at, the materials, signing in by the meeting's QR code, leave,
a written opinion, the discussion and their votes. Nothing here is compulsory apart from
what the meeting itself is: no daily check-in, no screenshots, no time counted."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.scope import Scope
from tenants.orglife import selectors
from tenants.orglife.forms import CommentForm, LeaveForm, OpinionForm, VoteForm
from tenants.orglife.models import AppraisalEntry, Attendance, BallotVoter, Meeting
from tenants.orglife.services import (
    attendance_check_in,
    checkin_window,
    comment_add,
    comments_of,
    leave_request,
    may_discuss,
    meeting_by_token,
    opinion_leave,
)
from tenants.orglife.types import type_names
from tenants.orglife.views import submit
from tenants.orglife.voting import ballot_cast, open_ballots_for, outcome_of
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import MAX_ID


@never_cache
@scoped_page()
def mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    if scope.member_id is None:
        raise PermissionDenied
    rows = selectors.own_meetings(scope)
    open_votes = open_ballots_for(scope.member_id)
    return render(
        request,
        "orglife/mine.html",
        {
            "rows": rows[:50],
            "names": type_names(),
            "rate": selectors.attendance_rate(rows),
            "open_votes": open_votes,
            "appraisals": list(
                AppraisalEntry.objects.filter(member_id=scope.member_id)
                .select_related("appraisal")
                .order_by("-appraisal__year")[:5]
            ),
        },
    )


def _own(scope: Scope, meeting_id: int) -> Attendance:
    row = selectors.own_attendance(scope, min(meeting_id, MAX_ID))
    if row is None:
        raise Http404("会议不存在")
    return row


def _page(request: HttpRequest, scope: Scope, row: Attendance, **forms: object) -> HttpResponse:
    meeting = row.meeting
    ballots = []
    for ballot in meeting.ballots.order_by("pk"):
        voter = BallotVoter.objects.filter(ballot=ballot, member_id=scope.member_id).first()
        ballots.append((ballot, voter, None if ballot.is_open else outcome_of(ballot)))
    agenda = [line for line in meeting.agenda.splitlines() if line.strip()]
    context = {
        "row": row,
        "meeting": meeting,
        "type_name": type_names().get(meeting.type_code, ""),
        "agenda": agenda,
        "files": list(meeting.files.order_by("kind", "pk")),
        "ballots": ballots,
        "comments": list(comments_of(scope, meeting)),
        "may_discuss": may_discuss(scope, meeting),
        "checkin_opens": checkin_window(meeting)[0],
        "leave_form": forms.get("leave_form") or LeaveForm(),
        "opinion_form": forms.get("opinion_form") or OpinionForm(initial={"opinion": row.opinion}),
        "comment_form": forms.get("comment_form") or CommentForm(agenda=agenda),
        "vote_form": forms.get("vote_form") or VoteForm(),
        "error": forms.get("error", ""),
    }
    return render(request, "orglife/mine_detail.html", context, status=400 if forms else 200)


@never_cache
@scoped_page()
def mine_detail(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    return _page(request, scope, _own(scope, meeting_id))


def _own_form(  # type: ignore[no-untyped-def]
    request: HttpRequest, scope: Scope, row: Attendance, key: str, form, *, done: str, call
) -> HttpResponse:
    return submit(
        request,
        form,
        call,
        done=done,
        to=reverse("orglife:mine-detail", args=[row.meeting_id]),
        again=lambda f: _page(request, scope, row, **{key: f}),
    )


@require_POST
@scoped_page()
def ask_leave(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    row = _own(scope, meeting_id)
    return _own_form(
        request,
        scope,
        row,
        "leave_form",
        LeaveForm(request.POST),
        done="请假已提交，等待支部批准。",
        call=lambda data: leave_request(
            meeting=row.meeting, member_id=scope.member_id, reason=data["reason"]
        ),
    )


@require_POST
@scoped_page()
def opinion(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    row = _own(scope, meeting_id)
    return _own_form(
        request,
        scope,
        row,
        "opinion_form",
        OpinionForm(request.POST),
        done="书面意见已提交。",
        call=lambda data: opinion_leave(
            meeting=row.meeting, member_id=scope.member_id, text=data["opinion"]
        ),
    )


@require_POST
@scoped_page()
def comment(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    """A comment in the discussion, from a participant's page or the organizer's."""
    meeting = Meeting.objects.select_related("org").filter(pk=min(meeting_id, MAX_ID)).first()
    if meeting is None or not may_discuss(scope, meeting):
        raise Http404("会议不存在")
    agenda = [line for line in meeting.agenda.splitlines() if line.strip()]
    form = CommentForm(request.POST, agenda=agenda)
    back = request.POST.get("back") == "detail"
    if form.is_valid():
        try:
            comment_add(
                scope=scope,
                meeting=meeting,
                body=form.cleaned_data["body"],
                item=form.cleaned_data["item"],
            )
        except (ApplicationError, AccessDenied) as exc:
            add_errors(form, exc) if isinstance(exc, ApplicationError) else form.add_error(
                None, exc.message
            )
        else:
            messages.success(request, "已发表。")
            return redirect("orglife:detail" if back else "orglife:mine-detail", meeting.pk)
    row = selectors.own_attendance(scope, meeting.pk)
    if row is None:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("orglife:detail", meeting.pk)
    return _page(request, scope, row, comment_form=form)


@require_POST
@scoped_page()
def vote(request: HttpRequest, ballot_id: int, *, scope: Scope) -> HttpResponse:
    voter = (
        BallotVoter.objects.filter(ballot_id=min(ballot_id, MAX_ID), member_id=scope.member_id)
        .select_related("ballot")
        .first()
    )
    if voter is None or scope.member_id is None:
        raise Http404("表决不存在")
    row = _own(scope, voter.ballot.meeting_id)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            ballot_cast(
                ballot=voter.ballot, member_id=scope.member_id, choice=form.cleaned_data["choice"]
            )
        except ApplicationError as exc:  # shown at the top: the form is gone once voted
            return _page(request, scope, row, vote_form=form, error=exc.message)
        else:
            messages.success(request, "您的票已投出。")
            return redirect("orglife:mine-detail", row.meeting_id)
    return _page(request, scope, row, vote_form=form)


@never_cache
@scoped_page()
def checkin(request: HttpRequest, token: str, *, scope: Scope) -> HttpResponse:
    """Where the meeting's QR code leads: the member confirms, and is signed in."""
    try:
        meeting = meeting_by_token(token[:64])
    except ApplicationError:
        raise Http404("签到二维码无效") from None
    error = ""
    if request.method == "POST":
        try:
            attendance_check_in(meeting=meeting, member_id=scope.member_id)
        except (AccessDenied, ApplicationError) as exc:
            error = exc.message
            row = selectors.own_attendance(scope, meeting.pk)
        else:
            messages.success(request, "签到成功。")
            return redirect("orglife:mine-detail", meeting.pk)
    else:
        row = selectors.own_attendance(scope, meeting.pk)
    return render(
        request,
        "orglife/checkin.html",
        {
            "meeting": meeting,
            "row": row,
            "type_name": type_names().get(meeting.type_code, ""),
            "error": error,
        },
        status=400 if error else 200,
    )
