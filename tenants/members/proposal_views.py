"""Pages of two-way maintenance: my record, my proposal, the branch's review queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shared.standards.models import CodeTable
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.forms import BLANK, _codes, keep_withdrawn_codes
from tenants.members.models import EditProposal, Member
from tenants.members.proposals import (
    proposal_approve,
    proposal_changes,
    proposal_return,
    proposal_submit,
    proposals_to_review,
)
from tenants.members.validation import CODE_FIELDS, FIELD_LABELS
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pii.masking import mask_address, mask_phone
from zhdj.validation.names import TextField
from zhdj.web.access import scoped_page
from zhdj.web.forms import PhoneInput, add_errors
from zhdj.web.privacy import no_store


class ProposalForm(forms.Form):
    phone = TextField(label="手机号", max_length=20, required=False, widget=PhoneInput)
    landline = TextField(label="固定电话", max_length=32, required=False, widget=PhoneInput)
    address = TextField(label="家庭住址", max_length=200, required=False)
    job_title = TextField(label="工作岗位", max_length=100, required=False)
    education_code = forms.ChoiceField(
        label="学历", choices=_codes(CodeTable.EDUCATION), required=False
    )
    occupation_code = forms.ChoiceField(
        label="职业", choices=_codes(CodeTable.OCCUPATION), required=False
    )
    note = TextField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        keep_withdrawn_codes(self, CODE_FIELDS)


def _own(scope: Scope) -> Member:
    """The user's own member record (a login without one has none: 404)."""
    member = (
        Member.objects.filter(pk=scope.member_id).select_related("org").first()
        if scope.member_id is not None
        else None
    )
    if member is None:
        raise Http404("您的账号未关联党员信息")
    return member


@scoped_page()
def my_record(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return redirect("members:detail", member_id=_own(scope).pk)


@no_store  # the member's own phone and address fill the form
@scoped_page()
def propose(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _own(scope)
    initial = {f: getattr(member, f) for f in ProposalForm.base_fields if f != "note"}
    form = ProposalForm(request.POST or None, initial=initial)
    pending = member.proposals.filter(status=EditProposal.Status.PENDING).first()
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        note = d.pop("note")
        try:
            proposal_submit(user=request.user, changes=d, note=note)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "修改申请已提交，请等待支部审核。")
            return redirect("members:detail", member_id=member.pk)
    history = member.proposals.all()[:10]
    return render(
        request,
        "members/propose.html",
        {
            "form": form,
            "member": member,
            "pending": pending,
            "history": history,
            "BLANK": BLANK,
        },
    )


MASKS = {"phone": mask_phone, "address": mask_address}


def _shown(field: str, value: str) -> str:
    """Protected values stay masked here; the full value is on the member page (logged)."""
    return MASKS[field](value) if field in MASKS else value


@scoped_page(permission=Perm.MEMBERS_EDIT)
def review_queue(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    rows = [
        {
            "p": p,
            "changes": [
                (FIELD_LABELS[k], _shown(k, getattr(p.member, k)), _shown(k, v))
                for k, v in proposal_changes(p).items()
            ],
        }
        for p in proposals_to_review(scope)
    ]
    return render(request, "members/review.html", {"rows": rows})


@require_POST
@scoped_page(permission=Perm.MEMBERS_EDIT)
def decide(request: HttpRequest, proposal_id: int, outcome: str, *, scope: Scope) -> HttpResponse:
    proposal = get_object_or_404(proposals_to_review(scope), pk=proposal_id)
    try:
        if outcome == "approve":
            proposal_approve(scope=scope, proposal=proposal, actor=request.user)
            messages.success(request, f"已通过{proposal.member.name}的修改申请。")
        elif outcome == "return":
            proposal_return(
                scope=scope,
                proposal=proposal,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已退回{proposal.member.name}的修改申请。")
        else:
            raise Http404("页面不存在")
    except AccessDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:review")
