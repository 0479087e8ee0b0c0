"""Member forms: shapes and choices only; the rules live in validation.py."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import code_choices
from tenants.members.models import Sex, StatusAction
from tenants.members.scope import Scope
from tenants.members.selectors import MemberFilter
from tenants.members.validation import MemberData
from tenants.orgs.selectors import org_tree_version
from zhdj.web.forms import FastSelect, FlatModelChoiceField, LazyOptionsSelect

BLANK = [("", "——")]
DATE = forms.DateInput(attrs={"type": "date"})


def _codes(table: CodeTable, *, blank: bool = True):  # type: ignore[no-untyped-def]
    return lambda: (BLANK if blank else []) + code_choices(table)


class MemberForm(forms.Form):
    org = FlatModelChoiceField(label="所在党支部", queryset=None)  # type: ignore[arg-type]
    name = forms.CharField(label="姓名", max_length=32)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    sex = forms.ChoiceField(
        label="性别",
        choices=BLANK + list(Sex.choices),
        required=False,
        help_text="留空则按身份证号码自动填写",
    )
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=DATE, help_text="留空则按身份证号码自动填写"
    )
    ethnicity_code = forms.ChoiceField(label="民族", choices=_codes(CodeTable.ETHNICITY))
    education_code = forms.ChoiceField(
        label="学历", choices=_codes(CodeTable.EDUCATION), required=False
    )
    category_code = forms.ChoiceField(
        label="人员类别", choices=_codes(CodeTable.MEMBER_CATEGORY, blank=False)
    )
    joined_at = forms.DateField(label="加入党组织日期", widget=DATE)
    full_member_at = forms.DateField(label="转为正式党员日期", required=False, widget=DATE)
    job_title = forms.CharField(label="工作岗位", max_length=100, required=False)
    occupation_code = forms.ChoiceField(
        label="职业", choices=_codes(CodeTable.OCCUPATION), required=False
    )
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    landline = forms.CharField(label="固定电话", max_length=32, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)

    def __init__(self, *args, scope: Scope, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        holding = OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True)
        self.fields["org"].queryset = (
            scope.organizations().filter(type_code__in=list(holding)).order_by("path")
        )

    def to_data(self) -> MemberData:
        return MemberData(**self.cleaned_data)


class StatusForm(forms.Form):
    action = forms.ChoiceField(label="变动类型", choices=StatusAction.choices)
    effective_date = forms.DateField(label="日期", widget=DATE)
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    lost_contact_code = forms.ChoiceField(
        label="失联情形（仅失联时填写）", choices=_codes(CodeTable.LOST_CONTACT), required=False
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", "公民身份号码"), ("phone", "手机号"), ("address", "家庭住址")]
    )
    password = forms.CharField(label="请输入您的登录密码", strip=False, widget=forms.PasswordInput)


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音首字母、身份证号或手机号"}),
    )
    org = FlatModelChoiceField(
        label="组织（含下级）", queryset=None, required=False, widget=LazyOptionsSelect
    )  # type: ignore[arg-type]
    party_status = forms.ChoiceField(
        label="党籍状态", choices=_codes(CodeTable.PARTY_STATUS), required=False, widget=FastSelect
    )
    category = forms.ChoiceField(
        label="人员类别",
        choices=_codes(CodeTable.MEMBER_CATEGORY),
        required=False,
        widget=FastSelect,
    )
    sex = forms.ChoiceField(
        label="性别", choices=BLANK + list(Sex.choices), required=False, widget=FastSelect
    )
    ethnicity = forms.ChoiceField(
        label="民族", choices=_codes(CodeTable.ETHNICITY), required=False, widget=FastSelect
    )
    education = forms.ChoiceField(
        label="学历", choices=_codes(CodeTable.EDUCATION), required=False, widget=FastSelect
    )
    age_min = forms.IntegerField(label="年龄自", min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label="至", min_value=0, max_value=150, required=False)

    def __init__(self, *args, scope: Scope, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = scope.organizations().order_by("path")
        version = f"{org_tree_version()}-{scope.user_id}"
        self.fields["org"].widget.attrs["data-options-url"] = (
            f"{reverse('orgs:options')}?v={version}"
        )

    def to_filter(self) -> MemberFilter:
        """The list filter of the cleaned form (the list page and the Excel export)."""
        d = self.cleaned_data
        return MemberFilter(
            q=d["q"],
            org_id=d["org"].pk if d["org"] else None,
            party_status_code=d["party_status"],
            category_code=d["category"],
            sex=d["sex"],
            ethnicity_code=d["ethnicity"],
            education_code=d["education"],
            age_min=d["age_min"],
            age_max=d["age_max"],
        )
