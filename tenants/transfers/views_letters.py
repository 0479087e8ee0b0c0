"""Pages of the three letter cases (domain-rules §3), all through the user's Scope:

- 外地介绍信转入登记: a member arrives with a paper letter from outside the city; the
  receiving committee registers them (an expired letter is refused by the service);
- 党员证明信: a stay away of fewer than ``transfers.proof_letter_max_months`` months, with
  its printable PDF (WeasyPrint, Noto Sans CJK);
- 组织关系保留: a graduate's relationship kept at most ``transfers.retention_max_months``.

Only users whose posts carry transfers.manage reach the forms (others get 403); a fetch
outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.accounts import events
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.transfers import selectors as sel
from tenants.transfers import services as svc
from tenants.transfers.forms import PaperForm, ProofForm, RetentionEndForm, RetentionForm
from tenants.transfers.models import ProofLetter
from tenants.transfers.pdf import proof_pdf
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.privacy import no_store


def _form_page(request: HttpRequest, form, *, title: str, intro: str, back: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(
        request,
        "transfers/form.html",
        {"form": form, "title": title, "intro": intro, "back": back},
    )


@never_cache
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def paper_register(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = PaperForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            transfer = svc.paper_letter_register(
                scope=scope,
                actor=request.user,
                data=form.member_data(scope),
                letter_serial=d["letter_serial"],
                from_name=d["from_name"],
                issued_on=d["issued_on"],
                validity_days=d["validity_days"],
                dues_paid_until=d.get("dues_paid_until"),
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{transfer.member.name}已登记转入{transfer.to_name}。")
            return redirect("transfers:detail", transfer_id=transfer.pk)
    return _form_page(
        request,
        form,
        title="外地介绍信转入登记",
        intro="党员持外地党组织开具的介绍信前来报到：核对介绍信在有效期内，登记后编入党支部。",
        back=reverse("transfers:list") + "?tab=incoming",
    )


@never_cache
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def proof_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = ProofForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = (
            Member.objects.visible_to(scope).select_related("org").filter(pk=d["member"]).first()
        )
        try:
            if member is None:
                raise ApplicationError("党员不存在。", field="member")
            proof = svc.proof_letter_issue(
                scope=scope,
                actor=request.user,
                member=member,
                destination=d["destination"],
                reason=d["reason"],
                months=d["months"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"证明信{proof.serial}已开具。")
            return redirect("transfers:proof", proof_id=proof.pk)
    return _form_page(
        request,
        form,
        title="开具党员证明信",
        intro="党员外出不足 6 个月、地点不固定的，开具党员证明信，组织关系不转移。",
        back=reverse("transfers:list") + "?tab=proofs",
    )


@never_cache
@scoped_page()
def proof_detail(request: HttpRequest, proof_id: int, *, scope: Scope) -> HttpResponse:
    """The member's own letter, or one of a subtree where the user handles transfers."""
    proof = sel.proof_letters_visible(scope).select_related("member__org").filter(pk=proof_id)
    proof = proof.first()
    if proof is None:
        raise Http404("证明信不存在")
    context = {
        "p": proof,
        "today": timezone.localdate(),
        "user_manages": scope.has(Perm.TRANSFERS_MANAGE),
    }
    return render(request, "transfers/proof.html", context)


@no_store
@scoped_page()
def proof_download(request: HttpRequest, proof_id: int, *, scope: Scope) -> HttpResponse:
    """The proof letter carries the member's full ID number and phone (the organization at
    the destination identifies the member by them): the member themselves, or a post with
    transfers.manage over the member, downloads it; every download is a REVEAL event."""
    proof = (
        ProofLetter.objects.visible_to(scope, Perm.TRANSFERS_MANAGE)
        .select_related("member")
        .filter(pk=proof_id)
        .first()
    )
    if proof is None:
        raise Http404("证明信不存在")
    response = HttpResponse(proof_pdf(proof), content_type="application/pdf")
    events.record(
        events.Kind.REVEAL,
        request=request,
        target=f"党员 {proof.member.name}（编号 {proof.member_id}）",
        detail=f"下载党员证明信 {proof.serial}（含公民身份号码、手机号）",
    )
    name = f"党员证明信-{proof.serial}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@never_cache
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def retention_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = RetentionForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = (
            Member.objects.visible_to(scope).select_related("org").filter(pk=d["member"]).first()
        )
        try:
            if member is None:
                raise ApplicationError("党员不存在。", field="member")
            retention = svc.retention_start(
                scope=scope,
                actor=request.user,
                member=member,
                reason=d["reason"],
                started_on=d["started_on"],
                months=d["months"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"{member.name}的组织关系保留至{retention.ends_on:%Y年%m月%d日}。"
            )
            return redirect(reverse("transfers:list") + "?tab=retentions")
    return _form_page(
        request,
        form,
        title="办理组织关系保留",
        intro="毕业后未落实工作单位的党员，组织关系可在学校保留，最长不超过 2 年。",
        back=reverse("transfers:list") + "?tab=retentions",
    )


@require_POST
@scoped_page(permission=Perm.TRANSFERS_MANAGE)
def retention_finish(request: HttpRequest, retention_id: int, *, scope: Scope) -> HttpResponse:
    retention = sel.retentions_visible(scope).filter(pk=retention_id).first()
    if retention is None or not scope.can(Perm.TRANSFERS_MANAGE, retention.member.org):
        raise Http404("组织关系保留不存在")
    form = RetentionEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("请填写正确的结束日期。", field="ended_on")
        svc.retention_end(scope=scope, retention=retention, ended_on=form.cleaned_data["ended_on"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{retention.member.name}的组织关系保留已结束。")
    return redirect(reverse("transfers:list") + "?tab=retentions")
