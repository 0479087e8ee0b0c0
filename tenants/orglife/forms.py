"""Forms of the organizational-life pages: shapes only; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.members.pickers import MemberPickerField
from tenants.orglife.models import Ballot, BallotKind, Choice, MeetingFile, MeetingStatus
from tenants.orglife.types import meeting_types
from tenants.orgs.pickers import OrgPickerField
from zhdj.validation.names import TextField

ACCEPT = "application/pdf,image/jpeg,image/png"


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: the browser sends ``YYYY-MM-DDTHH:MM``."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):  # type: ignore[no-untyped-def]
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _type_choices() -> list[tuple[str, str]]:
    return [(code, t.name) for code, t in meeting_types().items()]


class PlanForm(forms.Form):
    org = OrgPickerField(label="召开组织", source="orglife", as_pk=True)
    type_code = forms.ChoiceField(label="会议类型", choices=_type_choices)
    title = TextField(
        label="会议主题", max_length=100, required=False, help_text="不填则用会议类型作主题"
    )
    starts_at = forms.DateTimeField(
        label="召开时间", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    online = forms.BooleanField(label="线上参加", required=False)
    place = TextField(label="地点", max_length=100, required=False)
    agenda = TextField(
        label="议程",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项；党员可以就每项议程发表意见",
    )
    lecturer = MemberPickerField(label="授课人（党课）", required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        self.fields["lecturer"].scope_to(scope)


class MeetingFilterForm(forms.Form):
    type = forms.ChoiceField(label="会议类型", required=False)
    status = forms.ChoiceField(label="状态", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "全部类型"), *_type_choices()]
        self.fields["status"].choices = [("", "全部状态"), *MeetingStatus.choices]


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def year_or_now(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year


class RecordForm(forms.Form):
    minutes = TextField(
        label="会议记录",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="会议的主要内容、发言和决定；记录一次即可，不需要另拍照片",
    )
    lecturer = MemberPickerField(label="授课人（党课）", required=False)

    def __init__(self, *args: Any, scope: Scope, lecturer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lecturer:
            self.fields["lecturer"].scope_to(scope)
        else:
            del self.fields["lecturer"]


class FileForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=MeetingFile.Kind.choices)
    file = forms.FileField(
        label="文件",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="PDF、JPEG 或 PNG",
    )


class CancelForm(forms.Form):
    reason = TextField(label="取消原因", max_length=200)


class LeaveForm(forms.Form):
    reason = TextField(label="请假事由", max_length=200)


class OpinionForm(forms.Form):
    opinion = TextField(label="书面意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CommentForm(forms.Form):
    body = TextField(label="发表意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    item = forms.TypedChoiceField(label="针对议程", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, agenda: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "整体")] + [
            (str(n), f"{n}. {text[:30]}") for n, text in enumerate(agenda, start=1)
        ]


class BallotForm(forms.Form):
    """A branch resolution put to the vote (development votes start from the record)."""

    kind = forms.ChoiceField(label="表决类型", choices=[BallotKind.choices[0]])
    subject = TextField(label="表决事项", max_length=200, required=False)
    secret = forms.BooleanField(label="无记名投票", required=False, initial=True)
    mode = forms.ChoiceField(label="投票方式", choices=Ballot.Mode.choices)


class CountForm(forms.Form):
    yes = forms.IntegerField(label="赞成", min_value=0, initial=0)
    no = forms.IntegerField(label="反对", min_value=0, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, initial=0)
    written = forms.IntegerField(label="其中书面意见", min_value=0, initial=0)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label="您的意见", choices=Choice.choices, widget=forms.RadioSelect)
