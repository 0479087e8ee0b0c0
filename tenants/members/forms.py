"""Member forms: shapes and choices only; the rules live in validation.py."""

from __future__ import annotations

from django import forms

from shared.standards.models import CodeTable
from shared.standards.selectors import code_choices, keep_current
from tenants.access.scope import Scope
from tenants.members.models import Member, Sex, StatusAction
from tenants.members.selectors import MemberFilter
from tenants.members.validation import CODE_FIELDS, MemberData
from tenants.orgs.pickers import OrgPickerField
from zhdj.validation.names import NameField, TextField
from zhdj.web.forms import DateInput, FastSelect, PhoneInput

BLANK = [("", "——")]
# Shown masked until the password step (tenants/members/reveal.py), edited only after it.
PROTECTED = ("id_number", "phone", "address")
DATE = DateInput()


def _codes(table: CodeTable, *, blank: bool = True):  # type: ignore[no-untyped-def]
    return lambda: (BLANK if blank else []) + code_choices(table)


def keep_withdrawn_codes(form: forms.Form, tables: dict[str, CodeTable]) -> None:
    """An edit form keeps the record's code among the choices when it has been withdrawn
    from the code table: a blank select would erase it when the form is sent back."""
    for field, table in tables.items():
        if field in form.fields:
            choices = list(form.fields[field].choices)
            form.fields[field].choices = keep_current(choices, table, form.initial.get(field))


class MemberForm(forms.Form):
    org = OrgPickerField(label="所在党支部", source="edit_branches")
    name = NameField(label="姓名", max_length=32)
    id_number = TextField(label="公民身份号码", max_length=18)
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
    job_title = TextField(label="工作岗位", max_length=100, required=False)
    occupation_code = forms.ChoiceField(
        label="职业", choices=_codes(CodeTable.OCCUPATION), required=False
    )
    phone = TextField(label="手机号", max_length=20, required=False, widget=PhoneInput)
    landline = TextField(label="固定电话", max_length=32, required=False, widget=PhoneInput)
    address = TextField(label="家庭住址", max_length=200, required=False)

    def __init__(self, *args, scope: Scope, kept: Member | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """``kept``: the member whose full values have not been revealed in this session:
        the protected fields leave the form (the page shows them masked) and ``to_data``
        keeps the stored values, so a masked value is never sent back or written."""
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        keep_withdrawn_codes(self, CODE_FIELDS)
        self.kept = kept
        if kept is not None:
            for name in PROTECTED:
                del self.fields[name]

    def to_data(self) -> MemberData:
        values = dict(self.cleaned_data)
        if self.kept is not None:
            values.update({name: getattr(self.kept, name) or "" for name in PROTECTED})
        return MemberData(**values)


class UnlockForm(forms.Form):
    """The password step before the full values of one member are shown for editing."""

    password = forms.CharField(
        label="请输入您的登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "查看完整信息须输入登录密码。"},
    )


class StatusForm(forms.Form):
    # No default: a status change is never one click away (停止党籍 used to be preselected).
    action = forms.ChoiceField(
        label="变动类型",
        choices=[("", "请选择"), *StatusAction.choices],
        error_messages={"required": "请选择变动类型。"},
    )
    effective_date = forms.DateField(label="日期", widget=DATE)
    reason = TextField(label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    lost_contact_code = forms.ChoiceField(
        label="失联情形（仅失联时填写）", choices=_codes(CodeTable.LOST_CONTACT), required=False
    )
    # The confirmation step, without JavaScript: the change applies only with this ticked.
    confirmed = forms.BooleanField(
        label="我已核实变动类型、日期和原因，确认办理",
        error_messages={"required": "请核实后勾选确认，再办理党籍变动。"},
    )
    password = forms.CharField(
        label="请输入您的登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "办理党籍变动须再次输入登录密码。"},
    )

    def change_kwargs(self) -> dict[str, object]:
        """The cleaned values that ``member_change_status`` takes."""
        return {k: v for k, v in self.cleaned_data.items() if k != "confirmed"}


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
    org = OrgPickerField(label="组织（含下级）", required=False, empty_label="全部")
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
        self.fields["org"].scope_to(scope)

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            # A reversed range would silently match nobody.
            self.add_error("age_max", "年龄上限不能小于下限。")
        return data

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
