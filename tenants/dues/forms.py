"""Dues forms. Amounts are typed in 元 and parsed to 分 with Decimal (never floats)."""

from __future__ import annotations

from datetime import date

from django import forms

from shared.standards.models import DuesCategory
from tenants.dues.calc import parse_yuan
from tenants.dues.models import (
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    Channel,
    DuesBase,
    DuesReduction,
)
from zhdj.errors import ApplicationError
from zhdj.formats import yuan_plain
from zhdj.validation.names import TextField
from zhdj.web.forms import DateInput, MonthInput


class MonthField(forms.CharField):
    """ "2026-05" (an <input type=month>) → date(2026, 5, 1)."""

    # MonthInput renders a date as "2026-05", the only form <input type=month> accepts.
    widget = MonthInput(attrs={"placeholder": "2026-01"})

    def clean(self, value):  # type: ignore[no-untyped-def]
        text = super().clean(value)
        if not text:
            return None
        try:
            year, month = (int(x) for x in text.split("-")[:2])
            return date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError("请填写正确的月份（如 2026-05）。") from exc


class YuanField(forms.CharField):
    """An amount in 元 with at most two decimals → 分 (int).

    The message stands under the field, beside its label: it says 金额, not the label
    again (a label such as 自愿多交（元，可不填） pasted in read 「…（元，可不填）（元）」)."""

    def clean(self, value):  # type: ignore[no-untyped-def]
        text = super().clean(value)
        if not text:
            return 0
        try:
            return parse_yuan(text, field="amount", label="金额")
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc

    def widget_attrs(self, widget):  # type: ignore[no-untyped-def]
        # A phone brings up the keypad with the decimal point.
        return {**super().widget_attrs(widget), "inputmode": "decimal"}


def _channels(values: tuple) -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in Channel if c in values]


class BaseForm(forms.Form):
    category_code = forms.ChoiceField(label="缴纳类别")
    base = YuanField(label="计算基数（元）", required=False, max_length=16)
    from_month = MonthField(label="起用月份")
    note = TextField(label="说明", max_length=200, required=False)

    def __init__(self, *args, current: DuesBase | None = None, **kwargs):  # type: ignore[no-untyped-def]
        if current is not None:
            # The base in force, as typed: sent back unchanged it saves the same base
            # (dues_base_set updates the row of that month).
            fen = current.base_fen
            kwargs.setdefault(
                "initial",
                {
                    "category_code": current.category_code,
                    "base": yuan_plain(fen) if fen else "",
                    "from_month": current.from_month,
                    "note": current.note,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [
            (c.code, c.name) for c in DuesCategory.objects.all()
        ]


class PayForm(forms.Form):
    channel = forms.ChoiceField(
        label="支付方式", choices=_channels(ONLINE_CHANNELS), widget=forms.RadioSelect
    )
    voluntary = YuanField(label="自愿多交（元，可不填）", required=False, max_length=16)


class OfflineForm(forms.Form):
    channel = forms.ChoiceField(label="交纳方式", choices=_channels(OFFLINE_CHANNELS))
    receipt_no = TextField(label="收据号", max_length=40)
    months = forms.MultipleChoiceField(
        label="所交月份", widget=forms.CheckboxSelectMultiple, required=False
    )
    voluntary = YuanField(label="自愿多交（元）", required=False, max_length=16)

    def __init__(self, *args, months: list[date], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(m.isoformat(), f"{m:%Y年%m月}") for m in months]

    def chosen_months(self) -> list[date]:
        return [date.fromisoformat(m) for m in self.cleaned_data["months"]]


class ReductionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DuesReduction.Kind.choices)
    monthly = YuanField(label="减交后每月金额（元）", required=False, max_length=16)
    from_month = MonthField(label="起始月份")
    to_month = MonthField(label="截止月份")
    reason = TextField(label="困难情况", max_length=200)
    branch_decided_on = forms.DateField(label="支部决定日期", widget=DateInput())
    branch_decision = TextField(label="支部决定（会议记录）", max_length=200)


class MonthQueryForm(forms.Form):
    """``?month=2026-05`` of the collection pages: a month that does not parse is refused,
    not replaced by this month without a word."""

    month = MonthField(label="月份", required=False)
