"""Holiday calendar in the city admin (法定节假日安排): ops enter a new year's arrangements
when the State Council (国务院办公厅) publishes them, without a migration.

A ``CalendarYear`` says the year is known; its ``CalendarDay`` rows are the exceptions to
Monday–Friday (a weekday off, or a weekend worked, 调休上班). The year's page takes them
as lines ``日期 休|班 名称`` (``2027-02-08 休 春节``) and replaces that year's exceptions
in the same save; a line that is no exception (a Saturday off, a Tuesday worked) or lies
outside the year is refused with its line number. Until a year is entered, working-day
counts that reach into it refuse (``tenants.development.calendar.CalendarMissing``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from shared.standards.models import CalendarDay, CalendarYear
from zhdj.admin_scope import PublicOnlyAdmin

OFF, WORK = "休", "班"
WEEKDAYS = "一二三四五六日"
HELP = (
    "每行一天：日期 休/班 名称，如“2027-02-08 休 春节”“2027-02-06 班 春节调休”。"
    "只填写与“周一至周五上班”不同的日期。"
)


def parse_days(text: str, year: int) -> list[CalendarDay]:
    """The year's exception lines as unsaved ``CalendarDay`` rows; errors name the line."""
    days: dict[date, CalendarDay] = {}
    errors = []
    for n, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split(maxsplit=2)
        if not parts:
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            errors.append(f"第 {n} 行：“{parts[0]}”不是日期（格式 2027-01-01）。")
            continue
        mark = parts[1] if len(parts) > 1 else ""
        if mark not in (OFF, WORK):
            errors.append(f"第 {n} 行：请写明“{OFF}”（放假）或“{WORK}”（调休上班）。")
        elif day.year != year:
            errors.append(f"第 {n} 行：{day} 不在 {year} 年。")
        elif (mark == WORK) == (day.weekday() < 5):
            usual = "上班" if day.weekday() < 5 else "休息"
            errors.append(f"第 {n} 行：{day} 是星期{WEEKDAYS[day.weekday()]}，本来就{usual}。")
        elif day in days:
            errors.append(f"第 {n} 行：{day} 重复。")
        else:
            name = parts[2].strip()[:32] if len(parts) > 2 else ""
            days[day] = CalendarDay(date=day, is_workday=mark == WORK, name=name)
    if errors:
        raise forms.ValidationError(errors)
    return sorted(days.values(), key=lambda d: d.date)


def format_days(year: int) -> str:
    rows = CalendarDay.objects.filter(date__year=year).order_by("date")
    return "\n".join(f"{d.date} {WORK if d.is_workday else OFF} {d.name}".rstrip() for d in rows)


class CalendarYearForm(forms.ModelForm):
    days = forms.CharField(
        label="节假日与调休", widget=forms.Textarea(attrs={"rows": 24}), required=False
    )

    class Meta:
        model = CalendarYear
        fields = ("year", "source")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = HELP
        if self.instance.pk:
            self.fields["days"].initial = format_days(self.instance.year)
            self.fields["year"].disabled = True  # a year's days are keyed by the year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("year") or self.instance.year
        if year and not 2000 <= year <= 2100:
            self.add_error("year", "年份应在 2000–2100 之间。")
        elif year:
            try:
                self.parsed_days = parse_days(data.get("days") or "", year)
            except forms.ValidationError as exc:
                self.add_error("days", exc)
        return data


@transaction.atomic
def calendar_year_save(*, year: CalendarYear, days: list[CalendarDay]) -> CalendarYear:
    """Save the year and replace its exceptions with ``days``."""
    year.save()
    CalendarDay.objects.filter(date__year=year.year).delete()
    CalendarDay.objects.bulk_create(days)
    return year


@admin.register(CalendarYear)
class CalendarYearAdmin(PublicOnlyAdmin):
    form = CalendarYearForm
    list_display = ("year", "source", "exceptions")
    fields = ("year", "source", "days")

    @admin.display(description="调整天数")
    def exceptions(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year).count()

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: CalendarYearForm, change: bool
    ) -> None:
        calendar_year_save(year=obj, days=form.parsed_days)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        with transaction.atomic():
            CalendarDay.objects.filter(date__year=obj.year).delete()
            obj.delete()


@admin.register(CalendarDay)
class CalendarDayAdmin(PublicOnlyAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)
