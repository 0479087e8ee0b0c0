"""Pages of those who run the flowing-members work (流动党员管理): the list with its
figures, 外出登记 (the paper the rules give, refused otherwise with the rule's reason), an
outflow's page (the record, contacts, the card: issue, print, hand back on return).
Deadlines, contacts, 失联 and groups: ``views_care``. Members' own: ``views_member``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.standards.selectors import code_name
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing import selectors
from tenants.flowing.forms import ContactForm, GoingForm, OutflowFilterForm, ReturnForm
from tenants.flowing.models import Outflow, OutflowState, Paper
from tenants.flowing.pdf import card_pdf
from tenants.flowing.regions import ABROAD
from tenants.flowing.rules import Facts, decide
from tenants.flowing.services import Going, card_issue, outflow_cancel, outflow_return
from tenants.transfers.services.common import committee_of
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.exports import exported
from zhdj.web.forms import add_errors
from zhdj.web.privacy import no_store
from zhdj.web.query import MAX_ID, refuse_query

MANAGE = Perm.FLOWING_MANAGE


def outflow_of(scope: Scope, outflow_id: int) -> Outflow:
    outflow = selectors.outflows(scope).filter(pk=min(outflow_id, MAX_ID)).first()
    if outflow is None or not scope.can(MANAGE, outflow.org):
        raise Http404("外出登记不存在")
    return outflow


@never_cache
@scoped_page(permission=MANAGE)
def index(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = OutflowFilterForm(request.GET)
    if not form.is_valid():
        return refuse_query(request, form, title="流动党员", back=reverse("flowing:index"))
    today = timezone.localdate()
    state = form.cleaned_data.get("state") or OutflowState.ACTIVE
    rows = selectors.outflows(scope).order_by("-starts_on", "-id")
    if state != "all":
        rows = rows.filter(state=state)
    if form.cleaned_data.get("direction"):
        rows = rows.filter(direction=form.cleaned_data["direction"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    dues = {a.outflow.pk: a.report_due for a in selectors.away(scope, today)}
    for o in page:
        o.report_due = dues.get(o.pk)
        o.overdue = o.report_due is not None and o.report_due <= today
    figures = selectors.figures(scope)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "flowing/index.html",
        {
            "form": form,
            "page": page,
            "figures": figures,
            "chart": [{"name": n, "value": v} for n, v in figures.by_direction if v],
            "query": f"{query.urlencode()}&" if query else "",
        },
    )


def _going(data: dict[str, Any]) -> Going:
    return Going(
        reason=data["reason"],
        destination_code=data["destination_code"],
        place=data.get("place", ""),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        contact=data["contact"],
        paper=data["paper"],
        settled=data.get("settled", False),
        returns_often=data.get("returns_often", False),
        dues_place=data["dues_place"],
        note=data.get("note", ""),
    )


@never_cache
@scoped_page(permission=MANAGE)
def new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    from tenants.flowing.services import outflow_register

    form = GoingForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            outflow = outflow_register(
                scope=scope,
                member=form.cleaned_data["member"],
                going=_going(form.cleaned_data),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"已登记{outflow.member.name}外出（{outflow.get_paper_display()}）。"
            )
            return redirect("flowing:detail", outflow.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "flowing/new.html", {"form": form, "hint": _hint(form.data)}, status=status
    )


def _hint(data: Any) -> str:
    """The paper the rules give for the dates and facts typed, or "" when not yet known."""
    starts, ends = _day(data.get("starts_on")), _day(data.get("ends_on"))
    if not isinstance(starts, date) or not isinstance(ends, date) or ends <= starts:
        return ""
    decision = decide(
        Facts(
            starts_on=starts,
            ends_on=ends,
            abroad=data.get("destination_code") == ABROAD,
            settled=bool(data.get("settled")),
            returns_often=bool(data.get("returns_often")),
        )
    )
    return f"按规定应为“{decision.label}”：{decision.why}"


def _day(value: Any) -> date | None:
    try:
        return parse_date(str(value or "")[:10])
    except ValueError:  # a date of the right shape that does not exist (2月30日)
        return None


@never_cache
@scoped_page(permission=MANAGE)
def paper_hint(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The rule's hint for the registration form's script (a few words, no data)."""
    text = _hint(request.GET)
    return HttpResponse(text or "填写外出日期和预计返回日期后显示", content_type="text/plain")


def _detail(request: HttpRequest, scope: Scope, outflow: Outflow, **forms: Any) -> HttpResponse:
    member = outflow.member
    active = outflow.state == OutflowState.ACTIVE
    committee = committee_of(outflow.org)
    context = {
        "o": outflow,
        "member": member,
        "active": active,
        "committee": committee,
        "occupation": code_name("occupation", outflow.occupation_code) or "—",
        "notice": selectors.notice_of(outflow),
        "contacts": list(outflow.member.contacts.select_related("by").order_by("-on", "-id")[:50]),
        "may_issue": active
        and outflow.paper == Paper.CARD
        and not outflow.card_serial
        and scope.can(MANAGE, committee),
        "may_cancel": active and not outflow.member.contacts.filter(outflow=outflow).exists(),
        "may_mark_lost": active
        and not member.lost_contact
        and scope.can(Perm.MEMBERS_STATUS, member.org),
        "contact_form": forms.get("contact_form")
        or ContactForm(initial={"on": timezone.localdate()}),
        "return_form": forms.get("return_form")
        or ReturnForm(outflow=outflow, initial={"returned_on": timezone.localdate()}),
        "error": forms.get("error", ""),
    }
    return render(request, "flowing/detail.html", context, status=400 if forms else 200)


@never_cache
@scoped_page(permission=MANAGE)
def detail(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    return _detail(request, scope, outflow_of(scope, outflow_id))


@require_POST
@scoped_page(permission=MANAGE)
def issue(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    outflow = outflow_of(scope, outflow_id)
    try:
        outflow = card_issue(scope=scope, outflow=outflow, actor=request.user)
    except ApplicationError as exc:
        return _detail(request, scope, outflow, error=exc.message)
    messages.success(request, f"已发放流动党员活动证（编号 {outflow.card_serial}），可以打印。")
    return redirect("flowing:detail", outflow.pk)


@no_store
@exported("流动党员活动证")
@scoped_page()
def card(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    """The card as a PDF: for those who run flowing members over its branch, and for the
    member whose card it is (to print it again)."""
    outflow = selectors.outflows(scope).filter(pk=min(outflow_id, MAX_ID)).first()
    if outflow is None or not outflow.card_serial:
        raise Http404("活动证不存在或尚未发放")
    if outflow.state != OutflowState.ACTIVE:
        raise Http404("活动证已交回或注销，不能再打印")
    response = HttpResponse(card_pdf(outflow), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="card-{outflow.card_serial}.pdf"'
    return response


@require_POST
@scoped_page(permission=MANAGE)
def cancel(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    """撤销 a registration made in error."""
    outflow = outflow_of(scope, outflow_id)
    try:
        outflow_cancel(scope=scope, outflow=outflow, actor=request.user)
    except ApplicationError as exc:
        return _detail(request, scope, outflow, error=exc.message)
    messages.success(request, "外出登记已撤销。")
    return redirect("flowing:detail", outflow.pk)


@require_POST
@scoped_page(permission=MANAGE)
def back(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    """办理返回 (with the card handed back)."""
    outflow = outflow_of(scope, outflow_id)
    form = ReturnForm(request.POST, outflow=outflow)
    if form.is_valid():
        try:
            outflow_return(
                scope=scope,
                outflow=outflow,
                returned_on=form.cleaned_data["returned_on"],
                card_returned=form.cleaned_data.get("card_returned", False),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{outflow.member.name}已返回，外出登记已结束。")
            return redirect("flowing:detail", outflow.pk)
    return _detail(request, scope, outflow, return_form=form)
