"""Transfer pages (组织关系转接): the work list for branches and committees, the member's
own phone-first page, a transfer's detail with its actions, the inbox of envelopes from
other counties, and the letter PDF. Every fetch goes through the user's Scope."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.accounts import events
from shared.interchange.models import TransferEnvelope
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from tenants.transfers import selectors as sel
from tenants.transfers import services as svc
from tenants.transfers.forms import AcceptForm, DecideForm, LetterForm, ReceiptForm, StartForm
from tenants.transfers.models import Kind, Letter, State
from tenants.transfers.pdf import letter_pdf
from tenants.transfers.services.common import may_act_as_committee
from tenants.transfers.services.crosscounty import envelope_preview
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.privacy import no_store

WITHDRAWABLE = (
    State.PENDING_BRANCH,
    State.PENDING_COMMITTEE,
    State.PENDING_RECEIVER,
    State.EXPIRED,
)


def _envelope_of(transfer):  # type: ignore[no-untyped-def]
    """The envelope of a cross-county transfer (state and validity for the sending side)."""
    if transfer.kind != Kind.COUNTY_OUT:
        return None
    return (
        TransferEnvelope.objects.filter(
            source_schema=connection.schema_name, source_transfer_id=transfer.pk
        )
        .defer("payload")
        .first()
    )


TABS = {
    "outgoing": "转出",
    "incoming": "转入",
    "inbox": "外区县来件",
    "letters": "介绍信与回执",
    "proofs": "证明信",
    "retentions": "组织关系保留",
}


@never_cache
@scoped_page()
def transfer_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The work list of those who handle transfers; anyone else goes to their own page."""
    if not scope.has(Perm.TRANSFERS_MANAGE):
        if scope.member_id is None:
            raise PermissionDenied  # an applicant: no transfers of their own either
        return redirect("transfers:mine")
    tab = request.GET.get("tab", "outgoing")
    if tab not in TABS:
        tab = "outgoing"
    rows = {
        "outgoing": lambda: sel.transfers_outgoing(scope)[:200],
        "incoming": lambda: sel.transfers_incoming(scope)[:200],
        "inbox": lambda: sel.inbox(scope),
        "letters": lambda: sel.letters_visible(scope)[:200],
        "proofs": lambda: sel.proof_letters_visible(scope)[:200],
        "retentions": lambda: sel.retentions_visible(scope)[:200],
    }[tab]()
    figures = sel.figures(sel.transfers_visible(scope))
    return render(
        request,
        "transfers/list.html",
        {
            "tab": tab,
            "tabs": TABS,
            "rows": rows,
            "figures": figures,
            "scope": scope,
            "today": timezone.localdate(),
        },
    )


@never_cache
@scoped_page()
def transfer_mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    if scope.member_id is None:
        raise PermissionDenied  # a page for party members (an applicant has none)
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["member"] = str(scope.member_id)  # a member applies for themselves only
    form = StartForm(data, scope=scope, own_member_id=scope.member_id)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = _start(request, form, scope)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"转接申请已提交，当前为“{transfer.get_state_display()}”。")
            return redirect("transfers:mine")
    transfers = list(sel.my_transfers(scope))
    return render(
        request,
        "transfers/mine.html",
        {"transfers": transfers, "form": form, "open": any(t.is_open for t in transfers)},
    )


def _start(request: HttpRequest, form: StartForm, scope: Scope):  # type: ignore[no-untyped-def]
    member = Member.objects.visible_to(scope).filter(pk=form.cleaned_data["member"]).first()
    if member is None:
        raise ApplicationError("党员不存在。", field="member")
    to_org_id = form.cleaned_data.get("to_org")
    to_org = (
        Organization.objects.visible_to(scope).model.objects.filter(pk=to_org_id).first()
        if to_org_id
        else None
    )
    return svc.transfer_start(
        scope=scope,
        actor=request.user,
        member=member,
        kind=form.cleaned_data["kind"],
        reason=form.cleaned_data["reason"],
        to_org=to_org,
        target_schema=form.cleaned_data.get("target_schema") or "",
        to_name=form.cleaned_data.get("to_name") or "",
        dues_until=form.cleaned_data.get("dues_until"),
    )


@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def transfer_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = StartForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = _start(request, form, scope)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"转接已发起，当前为“{transfer.get_state_display()}”。")
            return redirect("transfers:detail", transfer_id=transfer.pk)
    return render(request, "transfers/form.html", {"form": form, "title": "发起组织关系转接"})


@never_cache
@scoped_page()
def transfer_detail(request: HttpRequest, transfer_id: int, *, scope: Scope) -> HttpResponse:
    """A member sees their own; those who handle transfers the ones of their subtrees."""
    transfer = sel.transfer_get(scope, transfer_id)
    if transfer is None:
        raise Http404("转接不存在")
    may_letter = transfer.kind == Kind.CITY_OUT and transfer.state == State.PENDING_COMMITTEE
    letter = Letter.objects.filter(transfer=transfer).first()
    context = {
        "t": transfer,
        "actions": transfer.actions.all(),
        "may_approve": svc.may_approve(scope, transfer) and not may_letter,
        "may_letter": may_letter and svc.may_approve(scope, transfer),
        "may_withdraw": _may_withdraw(scope, transfer),
        "may_resend": transfer.state == State.EXPIRED
        and transfer.kind == Kind.COUNTY_OUT
        and may_act_as_committee(scope, transfer.from_org),
        "envelope": _envelope_of(transfer),
        "letter": letter,
        "may_receipt": letter is not None
        and letter.receipt_on is None
        and may_act_as_committee(scope, transfer.from_org),
        "decide_form": DecideForm(),
        "letter_form": _letter_form(transfer) if may_letter else None,
        "letter_expired": letter is not None
        and letter.receipt_on is None
        and letter.valid_until < timezone.localdate(),
        "receipt_form": ReceiptForm(),
    }
    return render(request, "transfers/detail.html", context)


def _letter_form(transfer) -> LetterForm:  # type: ignore[no-untyped-def]
    """The letter form with 党费交至 taken from the dues record, saying so under the field."""
    dues = sel.letter_dues_prefill(transfer)
    form = LetterForm(
        initial={
            "validity_days": rule_value("transfers.letter_validity_days_nation"),
            "dues_paid_until": dues.month,
        }
    )
    form.fields["dues_paid_until"].help_text = dues.source + "如有未登记的缴纳，可更正。"
    return form


def _may_withdraw(scope, transfer) -> bool:  # type: ignore[no-untyped-def]
    return transfer.state in WITHDRAWABLE and (
        scope.member_id == transfer.member_id or scope.can(Perm.TRANSFERS_MANAGE, transfer.from_org)
    )


@never_cache
@scoped_page()
def transfer_withdraw(request: HttpRequest, transfer_id: int, *, scope: Scope) -> HttpResponse:
    """撤回: a page asking to confirm (it works without JavaScript), then the withdrawal.

    A POST without the confirmation's ``confirm`` (an old page's button) only shows the
    question: nothing is withdrawn by one tap."""
    transfer = sel.transfer_get(scope, transfer_id)
    if transfer is None:
        raise Http404("转接不存在")
    if not _may_withdraw(scope, transfer):
        messages.error(request, "该转接已被接收或已办结，不能撤回。")
        return redirect("transfers:detail", transfer_id=transfer.pk)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            svc.transfer_withdraw(scope=scope, actor=request.user, transfer=transfer)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "转接申请已撤回。")
        return redirect("transfers:detail", transfer_id=transfer.pk)
    sent = transfer.kind == Kind.COUNTY_OUT and transfer.state == State.PENDING_RECEIVER
    return render(request, "transfers/withdraw.html", {"t": transfer, "sent": sent})


@require_POST
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def transfer_act(
    request: HttpRequest, transfer_id: int, action: str, *, scope: Scope
) -> HttpResponse:
    transfer = sel.transfer_get(scope, transfer_id)
    if transfer is None:
        raise Http404("转接不存在")
    note = request.POST.get("note", "")
    try:
        if action == "approve":
            done = _approved(
                svc.transfer_approve(scope=scope, actor=request.user, transfer=transfer, note=note)
            )
        elif action == "return":
            svc.transfer_return(scope=scope, actor=request.user, transfer=transfer, reason=note)
            done = "转接已退回，退回原因已记入办理记录。"
        elif action == "letter":
            letter = _issue(request, transfer, scope)
            done = f"介绍信已开具（编号 {letter.serial}），请下载打印后交党员本人。"
        elif action == "receipt":
            _receipt(request, transfer, scope)
            done = "回执已登记，本次转接已完成。"
        elif action == "resend":
            svc.transfer_resend(scope=scope, actor=request.user, transfer=transfer, note=note)
            envelope = _envelope_of(transfer)
            until = f"，有效期至 {envelope.valid_until:%Y-%m-%d}" if envelope else ""
            done = f"已重新发往{transfer.to_name}{until}。"
        else:
            raise Http404("页面不存在")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("transfers:detail", transfer_id=transfer.pk)


def _approved(transfer) -> str:  # type: ignore[no-untyped-def]
    """What an approval did, by the step the transfer is now at."""
    state = transfer.state
    if state == State.PENDING_COMMITTEE:
        return "已同意，转接已报转出党委审批。"
    if state == State.PENDING_RECEIVER and transfer.kind == Kind.COUNTY_OUT:
        return f"已同意，转接已发往{transfer.to_name}，待对方接收。"
    if state == State.PENDING_RECEIVER:
        return f"已同意，待接收党委接收（转至{transfer.to_name}）。"
    if state == State.PENDING_RECEIVER_BRANCH:
        return f"已接收，待接收党支部（{transfer.to_name}）接收。"
    if state == State.COMPLETED:
        return f"已接收，{transfer.member.name}已编入{transfer.to_name}，转接已完成。"
    return f"已同意，转接当前为“{transfer.get_state_display()}”。"


def _issue(request: HttpRequest, transfer, scope: Scope) -> Letter:  # type: ignore[no-untyped-def]
    form = LetterForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApplicationError(f"{form.fields[field].label}：{errors[0]}", field=field)
    return svc.letter_issue(
        scope=scope,
        actor=request.user,
        transfer=transfer,
        data=svc.LetterData(**form.cleaned_data),
    )


def _receipt(request: HttpRequest, transfer, scope: Scope) -> None:  # type: ignore[no-untyped-def]
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("请填写回执日期。", field="received_on")
    letter = Letter.objects.filter(transfer=transfer).first()
    if letter is None:
        raise ApplicationError("该转接没有介绍信。")
    svc.letter_receipt_register(scope=scope, actor=request.user, letter=letter, **form.cleaned_data)


@no_store
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def letter_download(request: HttpRequest, transfer_id: int, *, scope: Scope) -> HttpResponse:
    """The introduction letter (组通字〔2006〕45号) carries the member's full ID number and
    phone: the receiving organization identifies the member by them (domain-rules §3). Only
    the sending committee (transfers.manage over it) downloads it, and every download is a
    REVEAL security event; the public QR page of the letter shows a masked name only."""
    transfer = sel.transfer_get(scope, transfer_id)
    letter = Letter.objects.filter(transfer=transfer).first() if transfer else None
    if letter is None or not may_act_as_committee(scope, transfer.from_org):
        raise Http404("介绍信不存在")
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    events.record(
        events.Kind.REVEAL,
        request=request,
        target=f"党员 {letter.name}（编号 {transfer.member_id}）",
        detail=f"下载组织关系介绍信 {letter.serial}（含公民身份号码、手机号）",
    )
    name = f"组织关系介绍信-{letter.serial}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@never_cache
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def envelope_detail(request: HttpRequest, envelope_id: str, *, scope: Scope) -> HttpResponse:
    envelope = sel.inbox_envelope(scope, envelope_id)
    if envelope is None:
        raise Http404("转接不存在")
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("outcome") == "return":
                svc.envelope_return(
                    scope=scope,
                    envelope_id=envelope.pk,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, "已退回转出区县。")
            else:
                org = Organization.objects.filter(pk=form.cleaned_data["org"]).first()
                if org is None or not scope.can(Perm.TRANSFERS_MANAGE, org):
                    raise ApplicationError("请选择本人管理范围内的党支部。", field="org")
                svc.envelope_accept(
                    scope=scope, envelope_id=envelope.pk, org=org, actor=request.user
                )
                messages.success(
                    request,
                    f"已确认接收。转出区县办结后，该党员自动编入{org.name}"
                    "（通常几秒钟），完成后将通知您。",
                )
                return redirect(f"{reverse('transfers:list')}?tab=inbox")
            return redirect("transfers:list")
        except ApplicationError as exc:
            add_errors(form, exc)
    expired = envelope.is_past_validity(timezone.localdate()) or envelope.state == "expired"
    preview = envelope_preview(envelope) if envelope.state == "sent" else {}
    context = {"e": envelope, "p": preview, "form": form, "expired": expired}
    return render(request, "transfers/envelope.html", context)
