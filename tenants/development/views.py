"""Development pages (发展党员): the branch board, a record's timeline and steps, the
committee's review queue, the applicant's own page (timeline, next step, documents handed
in), documents and the PDF file. Every page is handed the user's Scope (``scoped_page``):
the branch pages need development.manage somewhere (else 403); a record, document or
file outside what the user sees (``visible_to``: their posts' subtrees plus their own
record) is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.accounts.events import Kind
from shared.accounts.events import record as record_event
from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.checks import ancestors_for, ancestors_of
from tenants.development.forms import (
    ApplicantForm,
    BoardFilterForm,
    ReviewForm,
    StepForm,
    SubmissionForm,
    VoteStartForm,
)
from tenants.development.models import DevelopmentRecord, StepDocument, StepEntry, Submission
from tenants.development.pdf import record_pdf
from tenants.development.reminders import due_items
from tenants.development.selectors import (
    ballot_choices,
    manages_record,
    own_record,
    pending_entries,
    pipeline,
    record_get,
    records_of,
    stage_totals,
    step_ballots,
)
from tenants.development.services import (
    APPROVAL_DECISIONS,
    record_create,
    step_record,
    step_review,
    vote_open,
)
from tenants.development.steps import step as step_of
from tenants.development.steps import steps
from tenants.development.submissions import submission_create
from tenants.development.thought_reports import report_due_on
from tenants.development.timeline import timeline
from tenants.orglife.selectors import open_assemblies
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.exports import exported
from zhdj.web.query import filter_status, refuse_query

MANAGE = Perm.DEVELOPMENT_MANAGE


def _record(scope: Scope, record_id: int) -> DevelopmentRecord:
    """A record the user sees (one they work on, or their own); others are 404."""
    record = record_get(scope, record_id)
    if record is None:
        raise Http404("档案不存在")
    return record


def _managed(scope: Scope, record_id: int) -> DevelopmentRecord:
    record = _record(scope, record_id)
    if not manages_record(scope, record):
        raise Http404("页面不存在")
    return record


@never_cache
@scoped_page(permission=MANAGE)
def board(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = BoardFilterForm(request.GET or None, scope=scope)
    if filter_status(form) != 200:
        return refuse_query(request, form, title="发展党员", back=reverse("development:board"))
    org = form.cleaned_data["org"] if form.is_bound else None
    today = timezone.localdate()
    records = records_of(scope)
    if org is not None:
        records = records.filter(org__path__startswith=org.path)
    items = due_items(records, today)
    context = {
        "rows": pipeline(scope, org),
        "totals": stage_totals(scope, org),
        "org": org,
        "overdue": [i for i in items if i.kind == "overdue"],
        "upcoming": [i for i in items if i.kind == "upcoming"],
        "pending_count": pending_entries(scope).count(),
    }
    return render(request, "development/board.html", context)


@scoped_page(permission=MANAGE)
def record_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = ApplicantForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        person, step = form.to_input(request.FILES)
        try:
            record = record_create(scope=scope, person=person, step=step, actor=request.user)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记入党申请人“{record.name}”。")
            return redirect("development:record", record_id=record.pk)
    return render(request, "development/form.html", {"form": form, "title": "登记入党申请人"})


@never_cache
@scoped_page()
def record_detail(request: HttpRequest, record_id: int, *, scope: Scope) -> HttpResponse:
    """A record for those who work on it; the person sees their own too (read only)."""
    record = _record(scope, record_id)
    return render(
        request,
        "development/record.html",
        {
            "record": record,
            "steps": timeline(record),
            "may_manage": manages_record(scope, record),
            "submissions": list(record.submissions.select_related("submitted_by")),
            "today": timezone.localdate(),
        },
    )


@never_cache
@scoped_page(roles=(User.Role.APPLICANT, User.Role.MEMBER))
def mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The person's own record on their phone: where they are, what comes next and by
    when, and the application and thought reports they hand in."""
    record = own_record(scope)
    form = None
    if record is not None and record.is_open:
        form = SubmissionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                submission_create(
                    scope=scope,
                    record=record,
                    kind=data["kind"],
                    actor=request.user,
                    file=data["file"] or None,
                    title=data["title"],
                    text=data["text"],
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已递交{data['kind']}，党支部可以查看。")
                return redirect("development:mine")
    elif request.method == "POST":
        raise Http404("档案不存在")
    dues = report_due_on([record]) if record else {}
    last_report, report_due = dues.get(record.pk, (None, None)) if record else (None, None)
    views = timeline(record) if record else []
    return render(
        request,
        "development/mine.html",
        {
            "record": record,
            "steps": views,
            "next_steps": [v for v in views if v.is_next],
            "form": form,
            "submissions": list(record.submissions.all()) if record else [],
            "today": timezone.localdate(),
            "last_report": last_report,
            "report_due": report_due,
        },
    )


@scoped_page(permission=MANAGE)
def step_new(request: HttpRequest, record_id: int, number: int, *, scope: Scope) -> HttpResponse:
    record = _managed(scope, record_id)
    try:
        step = step_of(number)
    except ApplicationError:
        raise Http404("步骤不存在") from None
    ballots = step_ballots(record, number) if step.meeting else []
    form = StepForm(
        request.POST or None,
        request.FILES or None,
        step=step,
        scope=scope,
        ballots=ballot_choices(ballots),
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = step_record(
                scope=scope,
                record=record,
                number=number,
                data=form.to_input(request.FILES),
                actor=request.user,
            )
        except ApplicationError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            done = "已提交上级党委审核" if entry.state == StepEntry.State.PENDING else "已记录"
            late = f"（超期 {entry.late_days} 天：{entry.late_rule}）" if entry.late_days else ""
            messages.success(request, f"第 {number} 步“{step.name}”{done}{late}。")
            return redirect("development:record", record_id=record.pk)
    return _step_page(request, record, step, form, ballots)


def _step_page(  # type: ignore[no-untyped-def]
    request: HttpRequest, record, step, form, ballots, *, vote_form=None
) -> HttpResponse:
    return render(
        request,
        "development/step_form.html",
        {
            "form": form,
            "record": record,
            "step": step,
            "ballots": ballots,
            "vote_form": vote_form or VoteStartForm(meetings=open_assemblies(record.org_id)),
            "title": f"{record.name}：第 {step.number} 步 {step.name}",
        },
    )


@require_POST
@scoped_page(permission=MANAGE)
def vote_start(request: HttpRequest, record_id: int, number: int, *, scope: Scope) -> HttpResponse:
    """Steps 15 and 23: put the record to the vote at a 支部党员大会 (the voting engine)."""
    record = _managed(scope, record_id)
    try:
        step = step_of(number)
    except ApplicationError:
        raise Http404("步骤不存在") from None
    if not step.meeting:
        raise Http404("该步骤不表决")
    vote_form = VoteStartForm(request.POST, meetings=open_assemblies(record.org_id))
    if vote_form.is_valid():
        try:
            ballot = vote_open(
                scope=scope,
                record=record,
                number=number,
                meeting_id=vote_form.cleaned_data["meeting"],
                secret=vote_form.cleaned_data["secret"],
                mode=vote_form.cleaned_data["mode"],
                actor=request.user,
            )
        except ApplicationError as exc:
            vote_form.add_error(exc.field if exc.field in vote_form.fields else None, exc.message)
        else:
            messages.success(
                request, f"已发起表决“{ballot.subject}”，会上投票、计票后回到本页办理。"
            )
            return redirect("development:step", record_id=record.pk, number=number)
    ballots = step_ballots(record, number)
    form = StepForm(step=step, scope=scope, ballots=ballot_choices(ballots))
    return _step_page(request, record, step, form, ballots, vote_form=vote_form)


def _committees(entry: StepEntry) -> list:
    return ancestors_of(entry.record.org)


def _reviewer_permission(number: int) -> str:
    return Perm.DEVELOPMENT_APPROVE if number in APPROVAL_DECISIONS else MANAGE


@never_cache
@scoped_page(permission=MANAGE)
def review_queue(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    entries = list(pending_entries(scope))
    # One query for the step template and one for every row's committees, whatever the rows.
    template = steps()
    above = ancestors_for([e.record.org for e in entries])
    rows = []
    for e in entries:
        needs = _reviewer_permission(e.step_number)
        mine = [o for o in above[e.record.org_id] if scope.can(needs, o)]
        approval = e.step_number in APPROVAL_DECISIONS
        rows.append(
            {
                "entry": e,
                "step": template[e.step_number],
                "form": ReviewForm(committees=mine, approval=approval),
                "approval": approval,
                "may_review": bool(mine),
            }
        )
    return render(request, "development/review.html", {"rows": rows})


@require_POST
@scoped_page(permission=MANAGE)
def review_decide(
    request: HttpRequest, entry_id: int, outcome: str, *, scope: Scope
) -> HttpResponse:
    entry = pending_entries(scope).filter(pk=entry_id).first()
    if entry is None or outcome not in ("pass", "return"):
        raise Http404("待审核事项不存在")
    approval = entry.step_number in APPROVAL_DECISIONS
    form = ReviewForm(request.POST, committees=_committees(entry), approval=approval)
    form.is_valid()
    committee_id = form.cleaned_data.get("committee")
    committee = next((o for o in _committees(entry) if str(o.pk) == committee_id), None)
    try:
        step_review(
            scope=scope,
            entry=entry,
            approve=outcome == "pass",
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
            decided_on=form.cleaned_data.get("decided_on"),
            committee=committee,
            password=form.cleaned_data.get("password") if approval else None,
        )
    except ApplicationError as exc:
        messages.error(request, f"{entry.record.name} 第 {entry.step_number} 步：{exc.message}")
    else:
        verb = "已通过" if outcome == "pass" else "已退回"
        messages.success(request, f"{entry.record.name} 第 {entry.step_number} 步{verb}。")
    return redirect("development:review")


@never_cache
@scoped_page()
def document(request: HttpRequest, document_id: int, *, scope: Scope) -> FileResponse:
    """A step's document, for those who see the record (the person included)."""
    doc = StepDocument.objects.visible_to(scope).filter(pk=document_id).first()
    if doc is None:
        raise Http404("材料不存在")
    return _file_response(request, doc, "入党材料")


@never_cache
@scoped_page()
def submission_file(request: HttpRequest, submission_id: int, *, scope: Scope) -> FileResponse:
    """A document the person handed in, for the branch and the person."""
    doc = Submission.objects.visible_to(scope).filter(pk=submission_id).first()
    if doc is None:
        raise Http404("材料不存在")
    return _file_response(request, doc, "本人提交的材料")


def _file_response(request: HttpRequest, doc: StepDocument | Submission, kind: str) -> FileResponse:
    """The file, decrypted, and the access logged: a person's documents are personal data."""
    record_event(
        Kind.REVEAL, request=request, target=f"{kind}（编号 {doc.pk}）", detail=doc.original_name
    )
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(doc.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@never_cache
@exported("发展党员纪实")
@scoped_page()
def record_export(request: HttpRequest, record_id: int, *, scope: Scope) -> HttpResponse:
    """The whole file as a PDF: for those who work on it, and for the person themself."""
    record = _record(scope, record_id)
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(record.name + '发展党员纪实.pdf')}"
    )
    response["Cache-Control"] = "no-store"
    return response


__all__ = [
    "board",
    "document",
    "mine",
    "record_detail",
    "record_export",
    "record_new",
    "require_POST",
    "submission_file",
]
