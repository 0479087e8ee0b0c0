"""Forms of the flowing-members pages: shapes only; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from shared.standards.models import CodeTable
from shared.standards.selectors import code_choices
from tenants.access.scope import Scope
from tenants.flowing.models import (
    ContactLog,
    Direction,
    DuesPlace,
    FlowingGroup,
    Outflow,
    OutflowState,
    Paper,
    Reason,
)
from tenants.flowing.regions import ABROAD, destination_choices
from tenants.members.pickers import MemberPickerField
from tenants.orgs.pickers import OrgPickerField
from tenants.rules.selectors import rule_value
from zhdj.validation.names import TextField
from zhdj.web.forms import DateInput, PhoneInput

DATE = DateInput()


def _destinations() -> list[tuple[str, str]]:
    return [("", "请选择"), *destination_choices(), (ABROAD, "出国（境）")]


class GoingForm(forms.Form):
    """外出登记: what the branch records of a member going out."""

    member = MemberPickerField(label="党员", source="normal")
    reason = forms.ChoiceField(label="外出原因", choices=[("", "请选择"), *Reason.choices])
    destination_code = forms.ChoiceField(
        label="流入地",
        choices=_destinations,
        help_text="本市其他区县、本省其他市或外省；出国（境）另选",
    )
    place = TextField(
        label="工作单位或住址",
        max_length=200,
        required=False,
        help_text="出国（境）的填写国家（地区）和学校或单位",
    )
    starts_on = forms.DateField(label="外出日期", widget=DATE)
    ends_on = forms.DateField(label="预计返回日期", widget=DATE)
    contact = TextField(label="外出期间联系方式", max_length=100, widget=PhoneInput())
    settled = forms.BooleanField(label="已在外地固定工作或长期居住", required=False)
    returns_often = forms.BooleanField(label="经常返回、能参加原支部组织生活", required=False)
    paper = forms.ChoiceField(
        label="办理证明",
        choices=[("", "请选择"), *Paper.choices],
    )
    dues_place = forms.ChoiceField(
        label="党费交纳", choices=DuesPlace.choices, initial=DuesPlace.HOME
    )
    note = TextField(
        label="备注", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].scope_to(scope)
        months = _min_months()
        self.fields["paper"].help_text = (
            f"按规定：连续外出 {months} 个月以上发活动证，不满的开党员证明信，"
            "出国（境）保留组织关系"
        )


def _min_months() -> int:
    return int(rule_value("flowing.min_months"))


class OutflowFilterForm(forms.Form):
    direction = forms.ChoiceField(label="流向", required=False)
    state = forms.ChoiceField(label="状态", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = [("", "全部流向"), *Direction.choices]
        self.fields["state"].choices = [("", "外出中"), *OutflowState.choices[1:], ("all", "全部")]


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="联系结果",
        choices=[(ContactLog.Kind.REACHED, "已联系上"), (ContactLog.Kind.SEARCH, "查找未果")],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label="日期", widget=DATE)
    way = TextField(
        label="联系方式", max_length=50, help_text="如电话、微信、上门、函询流入地党组织"
    )
    note = TextField(label="情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="返回日期", widget=DATE)
    card_returned = forms.BooleanField(label="已收回流动党员活动证", required=False)

    def __init__(self, *args: Any, outflow: Outflow, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not outflow.card_serial:
            del self.fields["card_returned"]


class LostForm(forms.Form):
    """标记失联: through the member's status change, with the password step."""

    since = forms.DateField(label="失联日期", widget=DATE)
    code = forms.ChoiceField(
        label="失联情形",
        choices=lambda: [("", "请选择"), *code_choices(CodeTable.LOST_CONTACT)],
        error_messages={"required": "请选择失联情形。"},
    )
    steps = TextField(
        label="已采取的查找措施",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如电话、走访家属、函询流入地党组织等，写明时间和结果",
    )
    confirmed = forms.BooleanField(
        label="我已核实经多方查找仍无法取得联系，确认标记失联",
        error_messages={"required": "请核实后勾选确认，再标记失联。"},
    )
    password = forms.CharField(
        label="请输入您的登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "标记失联须再次输入登录密码。"},
    )


class GroupForm(forms.Form):
    """A flowing party group or temporary branch for the members gone to one place."""

    org = OrgPickerField(label="设立党组织", source="flowing")
    kind = forms.ChoiceField(label="形式", choices=FlowingGroup.Kind.choices)
    name = TextField(label="名称", max_length=100)
    outflows = forms.MultipleChoiceField(
        label="党员",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择党员。"},
    )
    leader = forms.ChoiceField(label="负责人", required=False)

    def __init__(self, *args: Any, scope: Scope, rows: list[Outflow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        self.fields["outflows"].choices = [(str(o.pk), o.member.name) for o in rows]
        self.fields["leader"].choices = [("", "暂不指定")] + [
            (str(o.member_id), o.member.name) for o in rows
        ]


class ReportForm(forms.Form):
    """流动党员向党组织报告 (the member's own, on the phone)."""

    on = forms.DateField(label="报告日期", widget=DATE)
    way = TextField(
        label="报告方式", max_length=50, initial="手机报告", help_text="如手机报告、电话、当面"
    )
    note = TextField(
        label="思想、工作和参加组织生活情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate(), "way": "手机报告"})
        super().__init__(*args, **kwargs)
