"""Dues pages: the committee's overview (dues:overview), a member's dues as managed by
the branch (dues:member), and the member's own statement and pay button (dues:mine)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shared.payments.providers.base import Order
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.dues import selectors
from tenants.dues.billing import bill_month_check, bills_backfill, bills_generate
from tenants.dues.calc import month_start
from tenants.dues.export import content_disposition, dues_workbook
from tenants.dues.forms import BaseForm, MonthQueryForm, OfflineForm, PayForm, ReductionForm
from tenants.dues.models import (
    ONLINE_CHANNELS,
    DuesBill,
    DuesPayment,
    ReconciliationMismatch,
)
from tenants.dues.payments import (
    order_expires_at,
    own_dues,
    payment_offline_record,
    payment_start,
)
from tenants.dues.reminders import remind_unpaid
from tenants.dues.services import dues_base_set, reduction_decide, reduction_propose
from tenants.members.models import Member
from zhdj.db import snapshot
from zhdj.errors import ApplicationError
from zhdj.web.access import open_page, scoped_page
from zhdj.web.csp import allow_form_target
from zhdj.web.exports import exported
from zhdj.web.forms import add_errors
from zhdj.web.query import QueryRefused


def _month(request: HttpRequest, *, export: bool = False) -> date:
    form = MonthQueryForm(request.GET)
    if not form.is_valid():
        back = reverse("dues:overview")
        raise QueryRefused(form, title="党费收缴", back=back, export=export)
    return form.cleaned_data["month"] or month_start(timezone.localdate())


@never_cache
@scoped_page()
def overview(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The dues work of those whose posts carry dues.manage; anyone else goes to 我的党费."""
    if not scope.has(Perm.DUES_MANAGE):
        if scope.member_id is None:
            raise PermissionDenied  # an applicant: no dues of their own either
        return redirect("dues:mine")
    month = _month(request)
    collection = selectors.collection_by_org(scope, month)
    unpaid = Paginator(selectors.unpaid_bills(scope, month), 50).get_page(request.GET.get("page"))
    trend = selectors.collection_by_month(scope, month)
    return render(
        request,
        "dues/overview.html",
        {
            "scope": scope,
            "month": month,
            "collection": collection,
            "top": collection[0] if collection else None,
            "unpaid": unpaid,
            "flags": selectors.open_flags(scope)[:100],
            "trend": trend,
            "chart_orgs": [{"name": c.org_name, "value": c.rate or 0} for c in collection[1:]],
            "pending_reductions": selectors.pending_reductions(scope)[:50],
            "mismatches": ReconciliationMismatch.objects.all()[:20] if scope.is_admin else [],
        },
    )


@require_POST
@scoped_page(permission=Perm.DUES_MANAGE)
def remind(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    told = remind_unpaid(scope=scope, sender=request.user)
    messages.success(request, f"已向 {told} 名党员发送党费交纳提醒。")
    return redirect("dues:overview")


@require_POST
@scoped_page(permission=Perm.DUES_MANAGE)
def generate(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    if not scope.is_admin:
        raise PermissionDenied  # the whole county's bills: its administrator
    month = _month(request)
    try:
        result = bills_generate(scope=scope, month=bill_month_check(month=month))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('dues:overview')}?month={month:%Y-%m}")
    messages.success(request, f"已生成 {result.month:%Y年%m月} 账单 {result.created} 份。")
    return redirect(f"{reverse('dues:overview')}?month={result.month:%Y-%m}")


@never_cache
@exported("党费收缴")
@scoped_page(permission=Perm.DUES_MANAGE)
def export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    month = _month(request, export=True)
    data = dues_workbook(scope, month, selectors.collection_by_org(scope, month))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition(month)
    return response


@never_cache
@scoped_page(permission=Perm.DUES_MANAGE)
def member_dues(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    member = selectors.scope_member(scope, member_id)
    if member is None:
        raise Http404("党员不存在")
    unpaid = list(
        DuesBill.objects.filter(member=member, status=DuesBill.Status.UNPAID).order_by("month")
    )
    base_form = BaseForm(prefix="base", current=selectors.current_base(member))
    offline_form = OfflineForm(prefix="off", months=[b.month for b in unpaid])
    reduction_form = ReductionForm(prefix="red")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "base":
                base_form = BaseForm(request.POST, prefix="base")
                if base_form.is_valid():
                    d = base_form.cleaned_data
                    dues_base_set(
                        scope=scope,
                        member=member,
                        category_code=d["category_code"],
                        base_fen=d["base"],
                        from_month=d["from_month"],
                        actor=request.user,
                        note=d["note"],
                    )
                    bills_backfill(scope=scope, member=member)
                    messages.success(request, "党费基数已保存。")
                    return redirect("dues:member", member_id=member.pk)
            elif action == "offline":
                offline_form = OfflineForm(
                    request.POST, prefix="off", months=[b.month for b in unpaid]
                )
                if offline_form.is_valid():
                    d = offline_form.cleaned_data
                    payment_offline_record(
                        scope=scope,
                        member=member,
                        channel=d["channel"],
                        receipt_no=d["receipt_no"],
                        months=offline_form.chosen_months(),
                        voluntary_fen=d["voluntary"],
                        actor=request.user,
                    )
                    messages.success(request, "线下交纳已登记。")
                    return redirect("dues:member", member_id=member.pk)
            elif action == "reduction":
                reduction_form = ReductionForm(request.POST, prefix="red")
                if reduction_form.is_valid():
                    d = reduction_form.cleaned_data
                    reduction_propose(
                        scope=scope,
                        member=member,
                        kind=d["kind"],
                        monthly_fen=d["monthly"],
                        from_month=d["from_month"],
                        to_month=d["to_month"],
                        reason=d["reason"],
                        branch_decided_on=d["branch_decided_on"],
                        branch_decision=d["branch_decision"],
                    )
                    messages.success(request, "减免申请已提交上级党委审批。")
                    return redirect("dues:member", member_id=member.pk)
        except ApplicationError as exc:
            form = {"base": base_form, "offline": offline_form}.get(action, reduction_form)
            add_errors(form, exc)
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "statement": selectors.member_statement(member),
            "base_form": base_form,
            "offline_form": offline_form,
            "reduction_form": reduction_form,
            "reductions": member.dues_reductions.all()[:20],
        },
    )


@require_POST
@scoped_page(permission=Perm.DUES_MANAGE)
def reduction_decision(request: HttpRequest, reduction_id: int, *, scope: Scope) -> HttpResponse:
    reduction = selectors.reduction_in_scope(scope, reduction_id)
    if reduction is None:
        raise Http404("减免申请不存在")
    try:
        reduction_decide(
            scope=scope,
            reduction=reduction,
            approve=request.POST.get("approve") == "1",
            actor=request.user,
            note=request.POST.get("note", ""),
        )
        messages.success(request, "审批结果已保存。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("dues:overview")


def _own(scope: Scope) -> Member:
    """The user's own member record (每人只看自己的党费)."""
    member = None
    if scope.member_id is not None:
        member = Member.objects.filter(pk=scope.member_id).select_related("org").first()
    if member is None:
        raise Http404("您的账号未关联党员信息")
    return member


# The channel and voluntary extra of a payment that could not start, kept for the retry.
RETRY_KEY = "dues_pay_retry"


def _mine_page(request: HttpRequest, member: Member, form: PayForm) -> HttpResponse:
    # One snapshot: a notification landing between these reads would show 已交清 beside
    # a bill still marked unpaid.
    with snapshot():
        statement = selectors.member_statement(member)
        dues = own_dues(member)
        pending = (
            DuesPayment.objects.filter(member=member, order_no=request.GET.get("paid", ""))
            .exclude(status=DuesPayment.Status.PAID)
            .first()
        )
    return render(
        request,
        "dues/mine.html",
        {
            "member": member,
            "statement": statement,
            "dues": dues,
            "payable": dues.payable,
            "payable_fen": dues.payable_fen,
            "form": form,
            "pending": pending,
        },
    )


@never_cache
@scoped_page()
def mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _own(scope)
    initial = {"channel": "alipay"}
    retry = request.session.pop(RETRY_KEY, None)
    if isinstance(retry, dict) and retry.get("channel") in ONLINE_CHANNELS:
        initial = {"channel": retry["channel"], "voluntary": str(retry.get("voluntary", ""))[:16]}
    return _mine_page(request, member, PayForm(initial=initial))


def _public_base(request: HttpRequest) -> str:
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default else ""
    return f"{request.scheme}://{settings.ZHDJ_CITY_HOST}{suffix}"


@require_POST
@never_cache
@scoped_page()
def pay(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _own(scope)
    form = PayForm(request.POST)
    if form.is_valid():
        base = _public_base(request)

        def order_for(payment: DuesPayment) -> Order:
            return Order(
                order_no=payment.order_no,
                amount_fen=payment.amount_fen,
                subject=f"党费 {member.org.name}",
                # The gateway sends the payer back to this order's result page.
                return_url=request.build_absolute_uri(
                    reverse("dues:paid", args=[payment.order_no])
                ),
                notify_url=f"{base}/pay/notify/{payment.channel}/",
                gateway_base=base,
                expires_at=order_expires_at(payment),
            )

        try:
            payment, checkout = payment_start(
                member=member,
                channel=form.cleaned_data["channel"],
                voluntary_fen=form.cleaned_data["voluntary"],
                order_for=order_for,
            )
        except ApplicationError as exc:
            if exc.field != "voluntary":
                # The gateway cannot start, or nothing is left to pay: a word for the page
                # (back on 我的党费), and the member's choices stay for the retry.
                messages.error(request, exc.message)
                request.session[RETRY_KEY] = {
                    "channel": form.cleaned_data["channel"],
                    "voluntary": request.POST.get("voluntary", ""),
                }
                return redirect("dues:mine")
            add_errors(form, exc)
        else:
            page = render(request, "dues/redirect.html", {"checkout": checkout, "payment": payment})
            # The form goes to the gateway's site: named for this response's form-action.
            return allow_form_target(page, checkout.url)
    # A wrong entry: the page again with the message under its field and what was typed.
    return _mine_page(request, member, form)


@open_page  # the gateway's hop back arrives without the login; the GET is a scoped page
@csrf_exempt  # UnionPay returns the payer with a cross-site form POST (frontUrl)
@require_http_methods(["GET", "POST"])
def paid(request: HttpRequest, order_no: str) -> HttpResponse:
    """Where the gateway sends the payer back (return_url / redirect_url / frontUrl).

    A POST only turns into a GET of the same page: session cookies are SameSite=Lax, so
    the cross-site POST arrives without the login, and the page changes nothing anyway.
    """
    if request.method == "POST":
        return redirect(request.path)
    return _paid_page(request, order_no)


@never_cache
@scoped_page()
def _paid_page(request: HttpRequest, order_no: str, *, scope: Scope) -> HttpResponse:
    member = _own(scope)
    payment = DuesPayment.objects.filter(member=member, order_no=order_no).first()
    if payment is None or payment.channel not in ONLINE_CHANNELS:
        raise Http404("订单不存在")
    months = [date.fromisoformat(m) for m in payment.bill_months]
    return render(request, "dues/paid.html", {"payment": payment, "months": months})


@never_cache
@scoped_page()
def order_status(request: HttpRequest, order_no: str, *, scope: Scope) -> JsonResponse:
    member = _own(scope)
    payment = DuesPayment.objects.filter(member=member, order_no=order_no).first()
    if payment is None:
        raise Http404("订单不存在")
    return JsonResponse({"status": payment.status})
