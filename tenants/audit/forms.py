"""The audit browser's filter (``?kind=…&page=…``)."""

from __future__ import annotations

from typing import Any

from django import forms

from tenants.audit.selectors import TRACKED
from zhdj.web.query import PageField


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="对象", required=False)
    page = PageField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部"), *((k, v[2]) for k, v in TRACKED.items())]
