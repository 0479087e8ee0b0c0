"""Pages of those who run organizational life (组织生活): the meetings, planning one (with
its notice), a meeting's page (QR sign-in, attendance, leave, record, materials, votes,
review) and the compliance view of every branch. Members' own pages: ``views_member``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orglife import selectors
from tenants.orglife.compliance import STATUS_LABELS, compliance
from tenants.orglife.forms import (
    BallotForm,
    CancelForm,
    CountForm,
    FileForm,
    MeetingFilterForm,
    PlanForm,
    RecordForm,
    YearForm,
)
from tenants.orglife.guests import guest_add, guest_candidates, guests_mark
from tenants.orglife.models import (
    Attendance,
    Ballot,
    Meeting,
    MeetingFile,
)
from tenants.orglife.services import (
    attendance_mark,
    checkin_window,
    comments_of,
    leave_decide,
    meeting_cancel,
    meeting_file_add,
    meeting_plan,
    meeting_record,
    meeting_review,
)
from tenants.orglife.types import meeting_types, type_names
from tenants.orglife.voting import Counted, ballot_close, ballot_open, outcome_of
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.uploads import Upload
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import MAX_ID, refuse_query

MANAGE = Perm.ORGLIFE_MANAGE


def _meeting(scope: Scope, meeting_id: int) -> Meeting:
    meeting = selectors.meeting_run_by(scope, min(meeting_id, MAX_ID))
    if meeting is None:
        raise Http404("会议不存在")
    return meeting


def checkin_url(request: HttpRequest, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("orglife:checkin", args=[meeting.checkin_token]))


@never_cache
@scoped_page(permission=MANAGE)
def index(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = MeetingFilterForm(request.GET)
    if not form.is_valid():
        return refuse_query(request, form, title="组织生活", back=reverse("orglife:index"))
    meetings = selectors.meetings_run_by(scope)
    if form.cleaned_data.get("type"):
        meetings = meetings.filter(type_code=form.cleaned_data["type"])
    if form.cleaned_data.get("status"):
        meetings = meetings.filter(status=form.cleaned_data["status"])
    page = Paginator(meetings, 30).get_page(request.GET.get("page"))
    names = type_names()
    for m in page:
        m.type_name = names.get(m.type_code, "—")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orglife/index.html",
        {"form": form, "page": page, "query": f"{query.urlencode()}&" if query else ""},
    )


@never_cache
@scoped_page(permission=MANAGE)
def plan(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = PlanForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lecturer = data.get("lecturer")
        try:
            meeting = meeting_plan(
                scope=scope,
                org=Organization.objects.get(pk=data["org"]),
                type_code=data["type_code"],
                starts_at=data["starts_at"],
                title=data.get("title", ""),
                place=data.get("place", ""),
                online=data.get("online", False),
                agenda=data.get("agenda", ""),
                lecturer=lecturer or None,
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已计划“{meeting.title}”，并已通知应到党员。")
            return redirect("orglife:detail", meeting.pk)
    return render(request, "orglife/plan.html", {"form": form, "types": meeting_types().values()})


def _detail(request: HttpRequest, scope: Scope, meeting: Meeting, **forms: Any) -> HttpResponse:
    attendances = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("member")
        .order_by("member__name_pinyin", "pk")
    )
    present = sum(1 for a in attendances if a.present)
    ballots = list(meeting.ballots.order_by("pk"))
    for b in ballots:
        if b.is_open and b.mode == Ballot.Mode.COUNTED:
            b.count_form = forms.get("count_forms", {}).get(b.pk) or CountForm(prefix=f"b{b.pk}")
    mtype = meeting_types().get(meeting.type_code)
    context = {
        "meeting": meeting,
        "type_name": type_names().get(meeting.type_code, ""),
        "mtype": mtype,
        "attendances": attendances,
        "present": present,
        "rate": round(100 * present / len(attendances)) if attendances else None,
        "leaves": [a for a in attendances if a.leave],
        "opinions": [a for a in attendances if a.opinion],
        "files": list(meeting.files.order_by("kind", "pk")),
        "guests": list(meeting.guests.select_related("inflow").order_by("inflow__name", "pk")),
        "guest_candidates": list(guest_candidates(meeting)) if meeting.is_open else [],
        "ballots": [(b, outcome_of(b) if not b.is_open else None) for b in ballots],
        "comments": list(comments_of(scope, meeting)),
        "record_form": forms.get("record_form")
        or RecordForm(
            initial={"minutes": meeting.minutes, "lecturer": meeting.lecturer_id},
            scope=scope,
            lecturer=bool(mtype and mtype.lecturer),
        ),
        "file_form": forms.get("file_form") or FileForm(prefix="file"),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
        "ballot_form": forms.get("ballot_form") or BallotForm(prefix="ballot"),
        "error": forms.get("error", ""),
        "checkin_opens": checkin_window(meeting)[0],
        "agenda": [line for line in meeting.agenda.splitlines() if line.strip()],
        "started": meeting.starts_at <= timezone.now(),
    }
    return render(request, "orglife/detail.html", context, status=400 if forms else 200)


@never_cache
@scoped_page(permission=MANAGE)
def detail(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    return _detail(request, scope, _meeting(scope, meeting_id))


@never_cache
@scoped_page(permission=MANAGE)
def qr(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    """The sign-in code to show at the meeting (on a screen or printed)."""
    meeting = _meeting(scope, meeting_id)
    url = checkin_url(request, meeting)
    return render(
        request,
        "orglife/qr.html",
        {
            "meeting": meeting,
            "qr": segno.make(url, error="m").svg_data_uri(scale=10, border=2),
            "url": url,
            "present": meeting.attendances.filter(present=True).count(),
            "expected": meeting.attendances.count(),
        },
    )


def _act(request: HttpRequest, scope: Scope, meeting: Meeting, done: str, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Run ``action``; on success back to the page with ``done``, else the page with the
    error (nothing typed is lost: the forms keep what was sent)."""
    try:
        action()
    except ApplicationError as exc:
        return _detail(request, scope, meeting, error=exc.message)
    messages.success(request, done)
    return redirect("orglife:detail", meeting.pk)


def submit(  # type: ignore[no-untyped-def]
    request: HttpRequest, form, call, *, done: str, to: str, again
) -> HttpResponse:
    """Run ``call(cleaned_data)`` when ``form`` is valid: on to ``to`` with ``done``, or
    ``again(form)``, the page again with the form (its errors, what was typed: nothing is
    lost)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(to)
    return again(form)


def _with_form(  # type: ignore[no-untyped-def]
    request: HttpRequest, scope: Scope, meeting: Meeting, key: str, form, *, done: str, call
) -> HttpResponse:
    return submit(
        request,
        form,
        call,
        done=done,
        to=reverse("orglife:detail", args=[meeting.pk]),
        again=lambda f: _detail(request, scope, meeting, **{key: f}),
    )


def _present_ids(request: HttpRequest) -> set[int]:
    """The ticked ids of a presence list (anything not an id within bigint is dropped)."""
    return {int(v) for v in request.POST.getlist("present") if v.isdecimal() and len(v) < 19}


@require_POST
@scoped_page(permission=MANAGE)
def attendance(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    ids = _present_ids(request)
    return _act(
        request,
        scope,
        meeting,
        "出席情况已登记。",
        lambda: attendance_mark(scope=scope, meeting=meeting, present_ids=ids, actor=request.user),
    )


@require_POST
@scoped_page(permission=MANAGE)
def guest_new(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    """Add an inflow member of the branch as a guest (列席, no vote)."""
    meeting = _meeting(scope, meeting_id)
    value = request.POST.get("inflow", "")
    inflow_id = int(value) if value.isdecimal() and len(value) < 19 else 0
    return _act(
        request,
        scope,
        meeting,
        "已添加列席的流入党员。",
        lambda: guest_add(scope=scope, meeting=meeting, inflow_id=inflow_id, actor=request.user),
    )


@require_POST
@scoped_page(permission=MANAGE)
def guests(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    ids = _present_ids(request)
    return _act(
        request,
        scope,
        meeting,
        "列席人员出席情况已登记。",
        lambda: guests_mark(scope=scope, meeting=meeting, present_ids=ids, actor=request.user),
    )


@require_POST
@scoped_page(permission=MANAGE)
def leave(
    request: HttpRequest, meeting_id: int, attendance_id: int, *, scope: Scope
) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    row = Attendance.objects.filter(meeting=meeting, pk=min(attendance_id, MAX_ID)).first()
    if row is None:
        raise Http404("请假记录不存在")
    approve = request.POST.get("decision") == "approve"
    excused = request.POST.get("excused") == "1"
    return _act(
        request,
        scope,
        meeting,
        "已准假。" if approve else "已不准假。",
        lambda: leave_decide(
            scope=scope, attendance=row, approve=approve, excused=excused, actor=request.user
        ),
    )


@require_POST
@scoped_page(permission=MANAGE)
def record(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    mtype = meeting_types().get(meeting.type_code)
    form = RecordForm(request.POST, scope=scope, lecturer=bool(mtype and mtype.lecturer))
    return _with_form(
        request,
        scope,
        meeting,
        "record_form",
        form,
        done="会议记录已保存。",
        call=lambda data: meeting_record(
            scope=scope,
            meeting=meeting,
            minutes=data["minutes"],
            lecturer=data.get("lecturer") or None,
            actor=request.user,
        ),
    )


@require_POST
@scoped_page(permission=MANAGE)
def file_add(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    return _with_form(
        request,
        scope,
        meeting,
        "file_form",
        FileForm(request.POST, request.FILES, prefix="file"),
        done="材料已上传。",
        call=lambda data: meeting_file_add(
            scope=scope,
            meeting=meeting,
            kind=data["kind"],
            upload=Upload(MeetingFile.Kind(data["kind"]).label, data["file"]),
            actor=request.user,
        ),
    )


@require_POST
@scoped_page(permission=MANAGE)
def review(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    return _act(
        request,
        scope,
        meeting,
        "已审核，会议记录已归档。",
        lambda: meeting_review(scope=scope, meeting=meeting, actor=request.user),
    )


@require_POST
@scoped_page(permission=MANAGE)
def cancel(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    return _with_form(
        request,
        scope,
        meeting,
        "cancel_form",
        CancelForm(request.POST, prefix="cancel"),
        done="会议已取消，并已通知应到党员。",
        call=lambda data: meeting_cancel(
            scope=scope, meeting=meeting, reason=data["reason"], actor=request.user
        ),
    )


@require_POST
@scoped_page(permission=MANAGE)
def ballot_new(request: HttpRequest, meeting_id: int, *, scope: Scope) -> HttpResponse:
    """A branch resolution put to the vote (development votes start from the record)."""
    meeting = _meeting(scope, meeting_id)
    return _with_form(
        request,
        scope,
        meeting,
        "ballot_form",
        BallotForm(request.POST, prefix="ballot"),
        done="表决已发起，应到党员可以在手机上投票。",
        call=lambda data: ballot_open(
            scope=scope,
            meeting=meeting,
            kind=data["kind"],
            subject=data.get("subject", ""),
            secret=data.get("secret", False),
            mode=data["mode"],
            actor=request.user,
        ),
    )


@require_POST
@scoped_page(permission=MANAGE)
def ballot_count(
    request: HttpRequest, meeting_id: int, ballot_id: int, *, scope: Scope
) -> HttpResponse:
    meeting = _meeting(scope, meeting_id)
    ballot = Ballot.objects.filter(meeting=meeting, pk=min(ballot_id, MAX_ID)).first()
    if ballot is None:
        raise Http404("表决不存在")
    counted = None
    form = (
        CountForm(request.POST, prefix=f"b{ballot.pk}")
        if ballot.mode == Ballot.Mode.COUNTED
        else None
    )
    if form is not None:
        if not form.is_valid():
            return _detail(request, scope, meeting, count_forms={ballot.pk: form})
        counted = Counted(**form.cleaned_data)
    try:
        ballot = ballot_close(scope=scope, ballot=ballot, actor=request.user, counted=counted)
    except ApplicationError as exc:
        if form is not None:
            add_errors(form, exc)
            return _detail(request, scope, meeting, count_forms={ballot.pk: form})
        return _detail(request, scope, meeting, error=exc.message)
    messages.success(request, f"计票完成：{'通过' if ballot.passed else '未通过'}。")
    return redirect("orglife:detail", meeting.pk)


@never_cache
@scoped_page()
def meeting_file(request: HttpRequest, file_id: int, *, scope: Scope) -> FileResponse:
    """A meeting's material: for those who run it and its expected participants."""
    row = MeetingFile.objects.select_related("meeting__org").filter(pk=min(file_id, MAX_ID)).first()
    if row is None or not (
        scope.can(MANAGE, row.meeting.org)
        or selectors.own_attendance(scope, row.meeting_id) is not None
    ):
        raise Http404("材料不存在")
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(row.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@scoped_page(permission=MANAGE)
def compliance_page(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = YearForm(request.GET)
    if not form.is_valid():
        return refuse_query(
            request, form, title="组织生活达标情况", back=reverse("orglife:compliance")
        )
    year = form.year_or_now()
    branches = compliance(scope, year=year)
    counts = {s: sum(1 for b in branches if b.status == s) for s in STATUS_LABELS}
    types = list(meeting_types().values())
    for b in branches:
        by_code = {line.type.code: line for line in b.lines}
        b.cells = [by_code.get(t.code) for t in types]
    return render(
        request,
        "orglife/compliance.html",
        {
            "form": form,
            "year": year,
            "branches": branches,
            "counts": counts,
            "labels": STATUS_LABELS,
            "silent": [b for b in branches if b.silent],
            "types": types,
        },
    )
