"""Forms of the transfer pages (Chinese labels; the services do the checking)."""

from __future__ import annotations

from django import forms
from django.db import connection

from shared.customers.models import Tenant
from shared.standards.models import CodeTable
from shared.standards.selectors import code_choices
from tenants.access.scope import Scope
from tenants.members.pickers import MemberPickerField
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.pickers import OrgPickerField
from tenants.rules.selectors import rule_value
from tenants.transfers.models import Kind
from zhdj.validation.names import NameField, TextField
from zhdj.web.forms import MONTH_INPUT_FORMATS, DateInput, MonthInput, PhoneInput

DATE = DateInput()
MONTH = MonthInput()
START_KINDS = [(k.value, k.label) for k in (Kind.WITHIN, Kind.COUNTY_OUT, Kind.CITY_OUT)]


def _codes(table: CodeTable):  # type: ignore[no-untyped-def]
    return lambda: [("", "请选择"), *code_choices(table)]


def _counties() -> list[tuple[str, str]]:
    return [("", "请选择")] + [
        (t.schema_name, t.name)
        for t in Tenant.objects.filter(status=Tenant.Status.ACTIVE)
        .exclude(schema_name=connection.schema_name)
        .order_by("region_code")
    ]


class MonthField(forms.DateField):
    input_formats = MONTH_INPUT_FORMATS
    widget = MONTH


# The fields each 转接类型 uses (transfer_start reads only these). static/js/show-if.js
# shows a field only while its kind is chosen; without JavaScript all of them show.
FIELDS_OF_KIND = {
    "to_org": (Kind.WITHIN,),
    "target_schema": (Kind.COUNTY_OUT,),
    "to_name": (Kind.COUNTY_OUT, Kind.CITY_OUT),
}


class StartForm(forms.Form):
    member = MemberPickerField(label="党员", source="normal", as_pk=True)
    kind = forms.ChoiceField(label="转接类型", choices=START_KINDS)
    to_org = OrgPickerField(
        label="接收党支部（县内）", source="county_branches", required=False, as_pk=True
    )
    target_schema = forms.ChoiceField(label="接收区县（市内）", required=False)
    to_name = TextField(
        label="接收党组织名称",
        max_length=200,
        required=False,
        help_text="转出本市时必填；转往市内其他区县时可不填，由接收区县编入党支部。",
    )
    reason = TextField(label="转接原因", max_length=200)
    dues_until = MonthField(label="党费交至", required=False)

    def __init__(self, *args, scope: Scope, own_member_id: int | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if own_member_id is not None:
            self.fields["member"] = forms.ChoiceField(
                label="党员",
                choices=[(str(own_member_id), "本人")],
                initial=str(own_member_id),
                widget=forms.HiddenInput(),
            )
            del self.fields["dues_until"]
        else:
            self.fields["member"].scope_to(scope)
        self.fields["to_org"].scope_to(scope)
        self.fields["target_schema"].choices = _counties()
        for name, kinds in FIELDS_OF_KIND.items():
            self.fields[name].widget.attrs["data-show-if"] = "kind=" + " ".join(kinds)


class DecideForm(forms.Form):
    note = TextField(label="意见或退回原因", max_length=200, required=False)


class LetterForm(forms.Form):
    validity_days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=90)
    dues_paid_until = MonthField(label="党费交至", required=False)
    sender_address = TextField(label="党委通讯地址", max_length=200)
    sender_phone = TextField(label="党委联系电话", max_length=32, widget=PhoneInput)
    sender_fax = TextField(label="传真", max_length=32, required=False)
    sender_postcode = TextField(label="邮编", max_length=6)


class ReceiptForm(forms.Form):
    received_on = forms.DateField(label="回执日期", widget=DATE)
    receipt_org = TextField(label="回执单位", max_length=200, required=False)


class AcceptForm(forms.Form):
    org = OrgPickerField(label="编入党支部", source="county_branches", as_pk=True)
    reason = TextField(label="退回原因（退回时必填）", max_length=200, required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(None)  # any branch of the county, whoever accepts


class PaperForm(forms.Form):
    """An incoming paper letter from outside the city (外地介绍信转入登记)."""

    org = OrgPickerField(label="编入党支部", source="branches", as_pk=True)
    name = NameField(label="姓名", max_length=32)
    id_number = TextField(label="公民身份号码", max_length=18)
    ethnicity_code = forms.ChoiceField(label="民族", choices=_codes(CodeTable.ETHNICITY))
    category_code = forms.ChoiceField(
        label="人员类别", choices=[("full", "正式党员"), ("probationary", "预备党员")]
    )
    joined_at = forms.DateField(label="加入党组织日期", widget=DATE)
    full_member_at = forms.DateField(label="转为正式党员日期", widget=DATE, required=False)
    phone = TextField(label="手机号", max_length=11, required=False, widget=PhoneInput)
    letter_serial = TextField(label="介绍信编号", max_length=64)
    from_name = TextField(label="转出党组织", max_length=200)
    issued_on = forms.DateField(label="介绍信开具日期", widget=DATE)
    validity_days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=90)
    dues_paid_until = MonthField(label="党费交至", required=False)

    def __init__(self, *args, scope: Scope, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        self.fields["validity_days"].initial = rule_value("transfers.letter_validity_days_nation")

    def member_data(self, scope: Scope) -> MemberData:
        d = self.cleaned_data
        return MemberData(
            org=Organization.objects.visible_to(scope).filter(pk=d["org"]).first(),
            name=d["name"],
            id_number=d["id_number"],
            ethnicity_code=d["ethnicity_code"],
            category_code=d["category_code"],
            joined_at=d["joined_at"],
            full_member_at=d.get("full_member_at"),
            phone=d.get("phone") or "",
        )


class ProofForm(forms.Form):
    member = MemberPickerField(label="党员", source="normal", as_pk=True)
    destination = TextField(label="前往地点或单位", max_length=200)
    reason = TextField(label="事由", max_length=200)
    months = forms.IntegerField(
        label="外出时间（月）", min_value=1, max_value=12, help_text="不足 6 个月开具证明信"
    )

    def __init__(self, *args, scope: Scope, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["member"].scope_to(scope)


class RetentionForm(ProofForm):
    destination = None  # type: ignore[assignment]
    reason = TextField(label="保留原因", max_length=200, initial="毕业后未落实工作单位")
    started_on = forms.DateField(label="保留开始", widget=DATE)
    months = forms.IntegerField(label="保留期限（月）", min_value=1, max_value=24)

    def __init__(self, *args, scope: Scope, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["months"].initial = rule_value("transfers.retention_max_months")


class RetentionEndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
