"""Effective rule values: the county's override, else the city default."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.standards.models import RuleParameter
from tenants.rules.display import shown, shown_unit
from tenants.rules.models import RuleOverride


class UnknownRule(LookupError):
    """A key that no seeded RuleParameter has: a programming error, not user input."""


@dataclass(frozen=True)
class EffectiveRule:
    parameter: RuleParameter
    value: Any
    override: RuleOverride | None

    @property
    def is_overridden(self) -> bool:
        return self.override is not None

    # The figures as the page shows them (元 for money rules stored in 分, 是/否).
    @property
    def unit(self) -> str:
        return shown_unit(self.parameter)

    @property
    def shown_value(self) -> str:
        return shown(self.parameter, self.value)

    @property
    def shown_default(self) -> str:
        return shown(self.parameter, typed(self.parameter, self.parameter.value))

    @property
    def shown_min(self) -> str:
        return shown(self.parameter, self.parameter.min_value)

    @property
    def shown_max(self) -> str:
        return shown(self.parameter, self.parameter.max_value)


def typed(parameter: RuleParameter, raw: Any) -> Any:
    """The stored JSON value as the Python type of the parameter's kind."""
    if parameter.kind == RuleParameter.Kind.DECIMAL:
        return Decimal(str(raw))
    if parameter.kind == RuleParameter.Kind.INTEGER:
        return int(raw)
    if parameter.kind == RuleParameter.Kind.BOOLEAN:
        return bool(raw)
    return raw


def rule_value(key: str) -> Any:
    """The value in force in the current county schema (two indexed lookups)."""
    parameter = RuleParameter.objects.filter(key=key).first()
    if parameter is None:
        raise UnknownRule(key)
    override = RuleOverride.objects.filter(key=key).only("value").first()
    if override is not None and parameter.overridable:
        return typed(parameter, override.value)
    return typed(parameter, parameter.value)


def rule_values(prefix: str) -> dict[str, Any]:
    """Every value in force whose key starts with ``prefix`` (one domain at once)."""
    return {rule.parameter.key: rule.value for rule in effective_rules(prefix)}


def effective_rules(prefix: str = "") -> list[EffectiveRule]:
    parameters = list(RuleParameter.objects.filter(key__startswith=prefix))
    overrides = {
        o.key: o
        for o in RuleOverride.objects.filter(key__in=[p.key for p in parameters]).select_related(
            "updated_by"
        )
    }
    rules = []
    for parameter in parameters:
        override = overrides.get(parameter.key) if parameter.overridable else None
        raw = override.value if override is not None else parameter.value
        rules.append(EffectiveRule(parameter, typed(parameter, raw), override))
    return rules
