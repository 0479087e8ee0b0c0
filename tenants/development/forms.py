"""Forms of the development pages: shapes only; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from shared.standards.models import CodeTable, DevelopmentStep
from tenants.access.scope import Scope
from tenants.development.checks import OUTCOMES
from tenants.development.documents import Upload
from tenants.development.models import Submission
from tenants.development.person import PersonData
from tenants.development.services import StepInput
from tenants.members.forms import _codes
from tenants.members.pickers import MembersPickerField
from tenants.orglife.models import Ballot
from tenants.orgs.models import Organization
from tenants.orgs.pickers import OrgPickerField
from zhdj.validation.names import NameField, TextField
from zhdj.web.forms import DateInput, PhoneInput

ACCEPT = "application/pdf,image/jpeg,image/png"
DATE = DateInput()


def _file(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="PDF、JPEG 或 PNG",
    )


class ApplicantForm(forms.Form):
    """Step 1 with the person: 登记入党申请人."""

    org = OrgPickerField(label="所在党支部", as_pk=True)
    name = NameField(label="姓名", max_length=32)
    id_number = TextField(label="公民身份号码", max_length=18)
    ethnicity_code = forms.ChoiceField(label="民族")
    education_code = forms.ChoiceField(label="学历", required=False)
    job_title = TextField(label="工作单位及职务", max_length=100, required=False)
    phone = TextField(label="手机号", max_length=20, required=False, widget=PhoneInput)
    address = TextField(label="家庭住址", max_length=200, required=False)
    done_on = forms.DateField(label="递交入党申请书日期", widget=DATE)
    application = _file("入党申请书")

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope, type="branch,joint_branch")
        self.fields["ethnicity_code"].choices = _codes(CodeTable.ETHNICITY)
        self.fields["education_code"].choices = _codes(CodeTable.EDUCATION)
        self._orgs = self.fields["org"].queryset

    def to_input(self, files: Any) -> tuple[PersonData, StepInput]:
        data = self.cleaned_data
        org = self._orgs.filter(pk=data["org"]).first() if data["org"] else None
        person = PersonData(
            org=org,
            name=data["name"],
            id_number=data["id_number"],
            ethnicity_code=data["ethnicity_code"],
            education_code=data["education_code"],
            job_title=data["job_title"],
            phone=data["phone"],
            address=data["address"],
        )
        uploads = [Upload("入党申请书", f) for f in files.getlist("application")]
        return person, StepInput(done_on=data["done_on"], uploads=uploads)


class StepForm(forms.Form):
    """One step; fields appear by what the step template asks for."""

    done_on = forms.DateField(label="办理日期", widget=DATE)
    actor_name = TextField(label="实施主体或经办人", max_length=64, required=False)
    note = TextField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        step: DevelopmentStep,
        scope: Scope | None = None,
        ballots: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["actor_name"].initial = step.actor
        for n, kind in enumerate(step.documents):
            self.fields[f"doc_{n}"] = _file(kind)
        if step.people:
            label = "培养联系人" if step.people == "contact" else "入党介绍人"
            self.fields["people"] = MembersPickerField(
                label=f"{label}（{step.people_min}–{step.people_max} 名正式党员）",
                source="full",
                required=False,
                as_pk=True,
            )
            self.fields["people"].scope_to(scope)
        if step.number == 11:
            self.fields["training_days"] = forms.IntegerField(
                label="培训天数", min_value=0, required=False
            )
            self.fields["training_hours"] = forms.IntegerField(
                label="培训学时", min_value=0, required=False
            )
        if step.number == 13:
            self.fields["publicity_from"] = forms.DateField(label="公示开始", widget=DATE)
            self.fields["publicity_to"] = forms.DateField(label="公示结束", widget=DATE)
        if step.meeting:
            self.fields["ballot"] = forms.TypedChoiceField(
                label="支部党员大会表决",
                coerce=int,
                empty_value=None,
                required=False,
                choices=[("", "请选择已计票的表决"), *(ballots or [])],
                help_text="应到、实到和票数取自表决，不再手工填写",
            )
        if step.number == 23:
            self.fields["outcome"] = forms.ChoiceField(
                label="讨论结果", choices=list(OUTCOMES.items())
            )
            self.fields["extension_months"] = forms.IntegerField(
                label="延长预备期（月）", min_value=0, required=False
            )

    def to_input(self, files: Any) -> StepInput:
        data = self.cleaned_data
        uploads = [
            Upload(kind, f)
            for n, kind in enumerate(self.step.documents)
            for f in files.getlist(f"doc_{n}")
        ]
        details: dict[str, Any] = {}
        for key in ("training_days", "training_hours", "outcome", "extension_months"):
            if data.get(key) is not None and key in self.fields:
                details[key] = data[key]
        for key in ("publicity_from", "publicity_to"):
            if data.get(key):
                details[key] = data[key].isoformat()
        return StepInput(
            done_on=data["done_on"],
            actor_name=data.get("actor_name", ""),
            note=data.get("note", ""),
            details=details,
            uploads=uploads,
            people=[int(p) for p in data.get("people", [])],
            ballot_id=data.get("ballot") if self.step.meeting else None,
        )

    def add_service_error(self, field: str | None, message: str) -> None:
        if field and field.startswith("doc:"):
            kind = field[4:]
            if kind in self.step.documents:
                field = f"doc_{self.step.documents.index(kind)}"
        self.add_error(field if field in self.fields else None, message)


def _password() -> forms.CharField:
    return forms.CharField(
        label="请输入您的登录密码",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="审批接收预备党员、预备党员转正须再次输入密码",
    )


class VoteStartForm(forms.Form):
    """Steps 15 and 23: put the record to the vote at a 支部党员大会 of its branch."""

    meeting = forms.TypedChoiceField(label="支部党员大会", coerce=int, empty_value=None)
    secret = forms.BooleanField(label="无记名投票", required=False, initial=True)
    mode = forms.ChoiceField(label="投票方式", choices=Ballot.Mode.choices)

    def __init__(self, *args: Any, meetings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "请选择会议"), *meetings]


class ReviewForm(forms.Form):
    """A committee's decision on a submitted step; the approval decisions (``approval``:
    steps 17 and 24) ask for the reviewer's password again."""

    decided_on = forms.DateField(label="审核日期", widget=DATE, required=False)
    committee = forms.ChoiceField(label="审核党组织", required=False)
    reason = TextField(label="退回原因", max_length=200, required=False)

    def __init__(
        self, *args: Any, committees: list[Organization], approval: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "（自动：最近的上级党委）")] + [
            (str(o.pk), o.name) for o in committees
        ]
        if approval:
            self.fields["password"] = _password()


class SubmissionForm(forms.Form):
    """The person hands in a document from their own page: a file or typed text."""

    kind = forms.ChoiceField(label="材料名称", choices=Submission.Kind.choices)
    file = forms.FileField(
        label="上传文件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="PDF、JPEG 或 PNG；可用手机拍照上传。也可以不上传文件，直接在下面填写正文",
    )
    title = TextField(label="标题", max_length=100, required=False)
    text = TextField(
        label="正文", widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=20000
    )


class BoardFilterForm(forms.Form):
    """``?org=`` of the development board (发展党员): a subtree of the user's scope."""

    org = forms.ModelChoiceField(label="党组织", queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(scope)
