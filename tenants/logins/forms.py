from __future__ import annotations

from typing import Any

from django import forms

from tenants.access.scope import Scope
from tenants.logins.services import DELIVERIES, PRINT
from tenants.orgs.pickers import OrgPickerField
from zhdj.web.forms import FastSelect

KINDS = (("member", "党员"), ("applicant", "入党申请人"))
STATES = (
    ("", "全部"),
    ("none", "未开通"),
    ("active", "已启用"),
    ("must_change", "待修改初始密码"),
    ("disabled", "已停用"),
)


class AccountFilterForm(forms.Form):
    kind = forms.ChoiceField(label="人员", choices=KINDS, required=False, widget=FastSelect)
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音或登录名"}),
    )
    org = OrgPickerField(label="组织（含下级）", required=False, empty_label="全部")
    state = forms.ChoiceField(label="账号状态", choices=STATES, required=False, widget=FastSelect)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label="交付方式",
        choices=list(DELIVERIES.items()),
        initial=PRINT,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择交付方式。", "invalid_choice": "请选择交付方式。"},
    )


class BulkForm(DeliveryForm):
    org = OrgPickerField(
        label="组织（含下级）",
        error_messages={"required": "请选择组织。", "invalid_choice": "请选择您管理的组织。"},
    )
    applicants_too = forms.BooleanField(label="同时为入党申请人开通", required=False, initial=True)

    field_order = ("org", "applicants_too", "delivery")

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
