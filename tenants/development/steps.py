"""The step template (发展党员 25 步) and the configurable values it names, read from the
public standards and the county's rule overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.standards.models import DevelopmentStep, RuleParameter
from tenants.rules.selectors import rule_value, rule_values
from zhdj.dates import add_months


def steps() -> dict[int, DevelopmentStep]:
    return {s.number: s for s in DevelopmentStep.objects.select_related("stage")}


def step(number: int) -> DevelopmentStep:
    found = DevelopmentStep.objects.select_related("stage").filter(number=number).first()
    if found is None:
        from zhdj.errors import ApplicationError

        raise ApplicationError(f"没有第 {number} 步。", field="step")
    return found


def development_rules() -> dict[str, Any]:
    return rule_values("development.")


@dataclass(frozen=True)
class Interval:
    amount: int
    unit: str  # "months" | "days" | "working_days"
    label: str

    def add(self, day: date) -> date:
        if self.unit == "months":
            return add_months(day, self.amount)
        if self.unit == "days":
            return day + timedelta(days=self.amount)
        raise ValueError(self.unit)

    def __str__(self) -> str:
        if self.unit == "months":
            return f"{self.amount} 个月" if self.amount % 12 else f"{self.amount // 12} 年"
        if self.unit == "working_days":
            return f"{self.amount} 个工作日"
        return f"{self.amount} 天"


UNITS = {"月": "months", "天": "days", "工作日": "working_days"}


def interval_of(rule: dict[str, Any]) -> Interval:
    """The interval a time rule names: inline ``months``/``days`` or a rule parameter."""
    if "rule" in rule:
        parameter = RuleParameter.objects.get(key=rule["rule"])
        return Interval(int(rule_value(rule["rule"])), UNITS[parameter.unit], parameter.name)
    if "months" in rule:
        return Interval(int(rule["months"]), "months", rule.get("label", ""))
    return Interval(int(rule["days"]), "days", rule.get("label", ""))
