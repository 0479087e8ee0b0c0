"""Date widgets render what ``<input type="date|month">`` accepts, in zh-hans too."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import translation

from zhdj.web.forms import MONTH_INPUT_FORMATS, DateInput, MonthInput


class Dates(forms.Form):
    day = forms.DateField(widget=DateInput())
    month = forms.DateField(widget=MonthInput(), input_formats=MONTH_INPUT_FORMATS)


def test_dates_render_in_iso_form_and_come_back_unchanged():
    with translation.override("zh-hans"):
        form = Dates(initial={"day": date(2021, 7, 1), "month": date(2026, 5, 1)})
        assert 'type="date"' in str(form["day"]) and 'value="2021-07-01"' in str(form["day"])
        assert 'type="month"' in str(form["month"]) and 'value="2026-05"' in str(form["month"])
        bound = Dates({"day": "2021-07-01", "month": "2026-05"})
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data == {"day": date(2021, 7, 1), "month": date(2026, 5, 1)}


def test_no_page_form_uses_a_locale_formatted_date_input():
    """Every DateField of the county forms renders through these widgets (a plain
    ``forms.DateInput`` formats with the locale: ``2021/07/01``)."""
    import tenants.development.forms as dev
    import tenants.dues.forms as dues
    import tenants.members.forms as members
    import tenants.orgs.forms as orgs
    import tenants.stats.forms as stats
    import tenants.transfers.forms as transfers

    checked = 0
    for module in (dev, dues, members, orgs, stats, transfers):
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, forms.BaseForm)):
                continue
            for name, field in obj.base_fields.items():
                if isinstance(field, forms.DateField):
                    checked += 1
                    assert isinstance(field.widget, DateInput | MonthInput), (obj, name)
    assert checked >= 10
