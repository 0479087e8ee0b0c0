"""Forms of the team pages: appoint (任职), end (免职), adjust a post's permission, and
the index filter."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from shared.standards.models import CodeTable, Permission
from shared.standards.selectors import code_choices
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.members.pickers import PLACEHOLDER, member_labels
from tenants.orgs.models import Organization
from tenants.teams.selectors import TERM_STATES
from zhdj.web.forms import DateInput, PickerField

BLANK = [("", "请选择")]


def candidates(scope: Scope, params: dict[str, str]):  # type: ignore[no-untyped-def]
    """Who may be appointed in the organization ``params["org"]``: members in good
    standing of it or of an organization under it, within the user's scope."""
    org = Organization.objects.visible_to(scope).filter(pk=params.get("org") or 0).first()
    if org is None:
        return Member.objects.none()
    return Member.objects.visible_to(scope).filter(
        party_status_code="normal", org__path__startswith=org.path
    )


SOURCES = {"org": candidates}


class AppointForm(forms.Form):
    member = PickerField(
        label="党员",
        url=reverse_lazy("teams:candidates"),
        sources=SOURCES,
        source="org",
        labels=member_labels,
        placeholder=PLACEHOLDER,
        error_messages={
            "required": "请选择任职的党员。",
            "invalid_choice": "所选党员不是本组织党籍正常的党员。",
        },
    )
    post_code = forms.ChoiceField(
        label="职务",
        choices=lambda: BLANK + code_choices(CodeTable.POST),
        error_messages={"required": "请选择职务。", "invalid_choice": "请选择职务。"},
    )
    started_at = forms.DateField(
        label="任职日期",
        widget=DateInput(),
        error_messages={"required": "请填写任职日期。", "invalid": "任职日期格式不正确。"},
    )

    def __init__(self, *args, scope: Scope, org: Organization, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field: PickerField = self.fields["member"]  # type: ignore[assignment]
        field.scope_to(scope, org=str(org.pk))
        self.fields["started_at"].initial = timezone.localdate()

    def clean_started_at(self):  # type: ignore[no-untyped-def]
        started = self.cleaned_data["started_at"]
        if started > timezone.localdate():
            raise forms.ValidationError("任职日期不能晚于今天。")
        return started


class EndForm(forms.Form):
    ended_at = forms.DateField(
        label="免职日期",
        widget=DateInput(),
        error_messages={"required": "请填写免职日期。", "invalid": "免职日期格式不正确。"},
    )
    reason = forms.CharField(
        label="免职原因",
        max_length=100,
        error_messages={
            "required": "请填写免职原因。",
            "max_length": "免职原因不能超过100个字。",
        },
    )

    def clean_ended_at(self):  # type: ignore[no-untyped-def]
        ended = self.cleaned_data["ended_at"]
        if ended > timezone.localdate():
            raise forms.ValidationError("免职日期不能晚于今天。")
        return ended


GRANTED = [("1", "授予"), ("0", "不授予")]


class GrantForm(forms.Form):
    post_code = forms.ChoiceField(
        label="职务",
        choices=lambda: BLANK + code_choices(CodeTable.POST),
        error_messages={"required": "请选择职务。", "invalid_choice": "请选择职务。"},
    )
    permission = forms.ChoiceField(
        label="权限项",
        choices=lambda: (
            BLANK + list(Permission.objects.order_by("sort", "code").values_list("code", "name"))
        ),
        error_messages={"required": "请选择权限项。", "invalid_choice": "请选择权限项。"},
    )
    granted = forms.TypedChoiceField(
        label="本区县设置",
        choices=GRANTED,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择是否授予。", "invalid_choice": "请选择是否授予。"},
    )
    reason = forms.CharField(
        label="调整依据",
        max_length=200,
        required=False,
        help_text="与全市默认不同时必须填写，例如会议纪要或文件名称。",
        error_messages={"max_length": "调整依据不能超过200个字。"},
    )


class TeamFilterForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=50, required=False)
    state = forms.ChoiceField(
        label="任期状态",
        choices=[("", "全部"), *TERM_STATES.items()],
        required=False,
        error_messages={"invalid_choice": "请选择任期状态。"},
    )
    no_secretary = forms.BooleanField(label="只看未配备书记的组织", required=False)
