"""Time rules of the 25 steps (发展党员时间规则), domain-rules.md §1.

The rules themselves are data (``DevelopmentStep.rules``, see its docstring); this module
applies them to one step about to be recorded on ``done_on``:

- too early (``after``, ``probation_end``) or past a hard limit (``within`` with
  ``severity: refuse`` — a 政审 conclusion older than 1 year, approval later than 6 months)
  → ``ApplicationError``, nothing is written;
- past a soft limit (``within`` with ``severity: flag`` — a talk more than a month after
  the application) → recorded, with the days late and the rule, shown and reminded;
- ``min_age`` (18 on the date of the application, from the ID number's birth date),
  ``publicity`` (≥ N working days by the holiday calendar), ``training`` (≥ 3 days or
  ≥ 24 class hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.standards.models import DevelopmentStep
from tenants.development.calendar import working_days
from tenants.development.steps import Interval, interval_of
from zhdj.errors import ApplicationError
from zhdj.pii.idnumber import age_on

Dates = dict[Any, date]  # step number (or "probation_end") → date


@dataclass(frozen=True)
class Verdict:
    late_days: int = 0
    late_rule: str = ""


@dataclass(frozen=True)
class Deadline:
    due_on: date
    refuse: bool
    text: str
    reminder_only: bool = False  # the day a step falls due, not a limit it can miss


def _base_name(base: Any, names: dict[int, str]) -> str:
    if base == "probation_end":
        return "预备期满"
    return f"第 {base} 步“{names.get(base, '')}”"


def _base(rule: dict[str, Any], dates: Dates) -> tuple[Any, date | None]:
    base = rule["from"]
    if dates.get(base) is None and "fallback_from" in rule:
        base = rule["fallback_from"]
    return base, dates.get(base)


def deadlines(step: DevelopmentStep, dates: Dates, names: dict[int, str]) -> list[Deadline]:
    """The limits (``within`` rules and the probation end) of a step not yet recorded."""
    found = []
    for rule in step.rules:
        if rule["kind"] == "within":
            base, day = _base(rule, dates)
            if day is None:
                continue
            interval = interval_of(rule)
            label = f"{rule['label']}：" if rule.get("label") else ""
            text = f"{label}应在{_base_name(base, names)}（{day:%Y-%m-%d}）后 {interval}内完成"
            found.append(Deadline(interval.add(day), rule.get("severity") == "refuse", text))
        elif rule["kind"] == "probation_end" and dates.get("probation_end"):
            found.append(Deadline(dates["probation_end"], False, "预备期满，应及时办理", True))
    return found


def earliest(step: DevelopmentStep, dates: Dates) -> date | None:
    """The first day the ``after`` and ``probation_end`` rules allow (None: no such rule)."""
    days = []
    for rule in step.rules:
        if rule["kind"] == "after" and dates.get(rule["from"]):
            days.append(interval_of(rule).add(dates[rule["from"]]))
        elif rule["kind"] == "probation_end" and dates.get("probation_end"):
            days.append(
                Interval(-rule.get("days_before", 0), "days", "").add(dates["probation_end"])
            )
    return max(days) if days else None


def check_time_rules(
    *,
    step: DevelopmentStep,
    done_on: date,
    dates: Dates,
    names: dict[int, str],
    birth_date: date,
    details: dict[str, Any],
) -> Verdict:
    """Refuse what the rules forbid; return the lateness of what they only flag."""
    title = f"第 {step.number} 步“{step.name}”"
    for rule in step.rules:
        kind = rule["kind"]
        if kind == "after" and dates.get(rule["from"]):
            interval = interval_of(rule)
            first = interval.add(dates[rule["from"]])
            if done_on < first:
                base = _base_name(rule["from"], names)
                raise ApplicationError(
                    f"{title}最早可在 {first:%Y-%m-%d} 办理：须在{base}"
                    f"（{dates[rule['from']]:%Y-%m-%d}）满 {interval} 之后。",
                    field="done_on",
                )
        elif kind == "probation_end" and dates.get("probation_end"):
            first = Interval(-rule.get("days_before", 0), "days", "").add(dates["probation_end"])
            if done_on < first:
                raise ApplicationError(
                    f"{title}最早可在 {first:%Y-%m-%d} 办理（预备期满 "
                    f"{dates['probation_end']:%Y-%m-%d}）。",
                    field="done_on",
                )
        elif kind == "min_age" and age_on(birth_date, done_on) < rule["years"]:
            raise ApplicationError(
                f"递交入党申请书时须年满 {rule['years']} 周岁：按公民身份号码，"
                f"申请人在 {done_on:%Y-%m-%d} 尚未年满 {rule['years']} 周岁。",
                field="id_number",
            )
        elif kind == "publicity":
            _check_publicity(rule, done_on, dates, details)
        elif kind == "training":
            _check_training(rule, details)
    return _lateness(step, done_on, dates, names)


def _lateness(step: DevelopmentStep, done_on: date, dates: Dates, names: dict[int, str]) -> Verdict:
    title = f"第 {step.number} 步“{step.name}”"
    worst = Verdict()
    for limit in deadlines(step, dates, names):
        if limit.reminder_only or done_on <= limit.due_on:
            continue
        if limit.refuse:
            raise ApplicationError(
                f"{title}已超过期限（{limit.due_on:%Y-%m-%d}）。{limit.text}。", field="done_on"
            )
        days = (done_on - limit.due_on).days
        if days > worst.late_days:
            worst = Verdict(days, limit.text)
    return worst


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _check_publicity(rule: dict[str, Any], done_on: date, dates: Dates, details: dict) -> None:
    start, end = _as_date(details.get("publicity_from")), _as_date(details.get("publicity_to"))
    if start is None or end is None:
        raise ApplicationError("请填写公示起止日期。", field="publicity_from")
    if end < start:
        raise ApplicationError("公示结束日期不能早于开始日期。", field="publicity_to")
    if dates.get(12) and start < dates[12]:
        raise ApplicationError("公示不能早于支部委员会审查。", field="publicity_from")
    if done_on < end:
        raise ApplicationError("预审须在公示期结束之后。", field="done_on")
    needed = interval_of(rule).amount
    counted = working_days(start, end)
    if counted < needed:
        raise ApplicationError(
            f"公示期不少于 {needed} 个工作日：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} "
            f"只有 {counted} 个工作日（已按法定节假日和调休计算）。",
            field="publicity_to",
        )
    details["publicity_from"], details["publicity_to"] = start.isoformat(), end.isoformat()
    details["publicity_working_days"] = counted


def _check_training(rule: dict[str, Any], details: dict) -> None:
    def number(key: str) -> int:
        try:
            return max(0, int(details.get(key) or 0))
        except (TypeError, ValueError):
            raise ApplicationError("培训天数和学时应为整数。", field=key) from None

    days, hours = number("training_days"), number("training_hours")
    if days < rule["days"] and hours < rule["hours"]:
        raise ApplicationError(
            f"集中培训时间不少于 {rule['days']} 天或不少于 {rule['hours']} 个学时"
            f"（当前 {days} 天、{hours} 学时）。",
            field="training_days",
        )
    details["training_days"], details["training_hours"] = days, hours
