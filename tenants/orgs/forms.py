"""Organization forms: shapes and choices; the rules live in services.py."""

from __future__ import annotations

from django import forms

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import code_choices, keep_current
from tenants.orgs.pickers import OrgPickerField
from zhdj.validation.names import NameField, TextField
from zhdj.web.forms import DateInput, PhoneInput

DATE = DateInput()
BLANK = [("", "——")]


class OrgFieldsForm(forms.Form):
    short_name = TextField(label="简称", max_length=40, required=False)
    category_code = forms.ChoiceField(
        label="组织类别",
        required=False,
        choices=lambda: BLANK + code_choices(CodeTable.ORG_CATEGORY),
    )
    unit_situation_code = forms.ChoiceField(
        label="所在单位情况",
        required=False,
        choices=lambda: BLANK + code_choices(CodeTable.UNIT_SITUATION),
    )
    unit_name = TextField(label="单位名称", max_length=100, required=False)
    unit_nature = TextField(label="单位性质类别", max_length=50, required=False)
    industry = TextField(label="行业", max_length=50, required=False)
    credit_code = TextField(label="统一社会信用代码", max_length=18, required=False)
    contact_name = NameField(label="联系人", max_length=32, required=False)
    contact_phone = TextField(label="联系电话", max_length=32, required=False, widget=PhoneInput)
    has_approval_authority = forms.BooleanField(label="具有审批预备党员权限", required=False)
    term_started_at = forms.DateField(label="本届任期开始", required=False, widget=DATE)
    term_ends_at = forms.DateField(label="本届任期届满", required=False, widget=DATE)
    latitude = forms.DecimalField(label="纬度", max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label="经度", max_digits=9, decimal_places=6, required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # A withdrawn code of the organization stays a choice: a blank would erase it.
        for field, table in (
            ("category_code", CodeTable.ORG_CATEGORY),
            ("unit_situation_code", CodeTable.UNIT_SITUATION),
        ):
            choices = list(self.fields[field].choices)
            self.fields[field].choices = keep_current(choices, table, self.initial.get(field))


class ChildForm(forms.Form):
    name = TextField(label="名称", max_length=100)
    type_code = forms.ChoiceField(label="组织类型", choices=())

    def __init__(self, *args, parent_type: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [
            (t.code, t.name)
            for t in OrganizationType.objects.all()
            if parent_type in t.allowed_parents
        ]


class RenameForm(forms.Form):
    name = TextField(label="新名称", max_length=100)
    effective_date = forms.DateField(label="日期", widget=DATE)
    reason = TextField(label="说明", max_length=200, required=False)


class TargetForm(forms.Form):
    """Move (target = new parent) or merge (target = the organization merged into)."""

    target = OrgPickerField(label="目标组织", source="managed")
    effective_date = forms.DateField(label="日期", widget=DATE)
    reason = TextField(label="说明", max_length=200, required=False)

    def __init__(self, *args, scope, org, same_type: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        narrow = {"exclude": org.pk, **({"type": org.type_code} if same_type else {})}
        self.fields["target"].scope_to(scope, **narrow)


class DissolveForm(forms.Form):
    effective_date = forms.DateField(label="撤销日期", widget=DATE)
    reason = TextField(label="撤销原因", max_length=200)
