"""Forms of the inflow pages (流入党员): shapes only; the rules are in ``inflows``."""

from __future__ import annotations

from typing import Any

from django import forms

from tenants.access.scope import Scope
from tenants.orgs.pickers import OrgPickerField
from zhdj.web.forms import MONTH_INPUT_FORMATS, MonthInput


class PlaceForm(forms.Form):
    org = OrgPickerField(label="参加组织生活的党支部", source="branches")

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)


class DuesForm(forms.Form):
    through_month = forms.DateField(
        label="党费交至",
        widget=MonthInput(attrs={"placeholder": "2026-01"}),
        input_formats=MONTH_INPUT_FORMATS,
        error_messages={"invalid": "请填写正确的月份（如 2026-05）。"},
        help_text="已在本地交纳党费的最后一个月",
    )
