"""The rollup registry (汇总指标登记): one place where every tenant app declares the
figures the city dashboard shows, so a new feature adds a metric without touching the
dashboard.

A tenant app declares its metrics in a ``metrics.py`` module::

    from shared.rollups.registry import metric

    @metric("members.by_sex", label="党员性别", unit="人", dimension_label="性别")
    def members_by_sex() -> Iterable[tuple[str, int]]:
        return Member.objects.filter(...).values_list("sex").annotate(n=Count("*"))

``compute`` runs inside one county schema (the rollup job sets it) and yields
``(dimension, value)`` pairs: ``""`` for a scalar, else a code or label of the
dimension. Values are integers (counts, money in 分); rates are computed by the
dashboard from a numerator and a denominator metric, never stored. Rows must be
aggregates: a metric never yields a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

Row = tuple[str, int]


@dataclass(frozen=True)
class Metric:
    key: str  # "<app>.<name>", e.g. "members.total"
    label: str  # Chinese label shown on the dashboard
    compute: Callable[[], Iterable[Row]]
    unit: str = "人"
    dimension_label: str = ""  # what the dimension means ("性别", "年龄段" …); "" = scalar


_REGISTRY: dict[str, Metric] = {}
_discovered = False


def metric(
    key: str, *, label: str, unit: str = "人", dimension_label: str = ""
) -> Callable[[Callable[[], Iterable[Row]]], Callable[[], Iterable[Row]]]:
    def register(compute: Callable[[], Iterable[Row]]) -> Callable[[], Iterable[Row]]:
        if key in _REGISTRY and _REGISTRY[key].compute is not compute:
            raise ValueError(f"metric {key!r} declared twice")
        _REGISTRY[key] = Metric(key, label, compute, unit, dimension_label)
        return compute

    return register


def metrics() -> list[Metric]:
    """Every declared metric, after importing each installed app's ``metrics`` module."""
    global _discovered  # noqa: PLW0603
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True
    return sorted(_REGISTRY.values(), key=lambda m: m.key)
