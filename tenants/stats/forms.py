"""The statistics query form: an organization in the user's scope and a date."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.orgs.pickers import OrgPickerField
from zhdj.web.forms import DateInput

DATE = DateInput()


class StatisticsForm(forms.Form):
    org = OrgPickerField(
        label="党组织（含下级）",
        source="stats",
        required=False,
        empty_label="全部（我管理的范围）",
        placeholder="全部（我管理的范围）；输入名称、拼音或首字母搜索",
    )
    on = forms.DateField(label="统计日期", required=False, widget=DATE)

    def __init__(self, *args, scope: Scope, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        self.fields["on"].initial = timezone.localdate()

    def clean_on(self) -> date:
        on = self.cleaned_data.get("on") or timezone.localdate()
        if on > timezone.localdate():
            raise forms.ValidationError("统计日期不能晚于今天。")
        return on

    def query(self) -> tuple[int | None, date]:
        """(org_id, on) of a valid form; the defaults of an unbound one."""
        if not self.is_bound:
            return None, timezone.localdate()
        org = self.cleaned_data["org"]
        return (org.pk if org else None), self.cleaned_data["on"]
