"""Forms of the democratic appraisal pages (民主评议党员): shapes only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.orglife.models import Grade, Handling
from tenants.orgs.pickers import OrgPickerField
from zhdj.validation.names import TextField


def _years() -> list[tuple[int, str]]:
    year = timezone.localdate().year
    return [(year, f"{year}年度"), (year - 1, f"{year - 1}年度")]


class AppraisalStartForm(forms.Form):
    org = OrgPickerField(label="党支部", source="orglife", as_pk=True)
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_years)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)


class SelfForm(forms.Form):
    text = TextField(
        label="个人自评",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="对照党员标准，写一年来的表现、不足和努力方向",
    )


class GradesForm(forms.Form):
    """One grade per member (``g_<member id>``): the peer review, or the committee's
    proposal."""

    def __init__(
        self, *args: Any, members: list[tuple[int, str]], initial_grades: dict | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        for pk, name in members:
            self.fields[f"g_{pk}"] = forms.ChoiceField(
                label=name,
                choices=[("", "请选择"), *Grade.choices],
                initial=(initial_grades or {}).get(pk, ""),
            )

    def grades(self) -> dict[int, str]:
        return {int(k[2:]): v for k, v in self.cleaned_data.items() if k.startswith("g_")}


class AppraisalVoteForm(forms.Form):
    meeting = forms.TypedChoiceField(label="支部党员大会", coerce=int, empty_value=None)

    def __init__(self, *args: Any, meetings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "请选择会议"), *meetings]


class DecideForm(forms.Form):
    """The handling of each member graded 不合格 (``h_<id>``, ``n_<id>``)."""

    def __init__(self, *args: Any, unqualified: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk, name in unqualified:
            self.fields[f"h_{pk}"] = forms.ChoiceField(
                label=f"{name}：组织处置", choices=[("", "请选择"), *Handling.choices[1:]]
            )
            self.fields[f"n_{pk}"] = TextField(label="处置说明", max_length=200, required=False)

    def handling(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            int(k[2:]): (v, data.get(f"n_{k[2:]}", ""))
            for k, v in data.items()
            if k.startswith("h_")
        }
