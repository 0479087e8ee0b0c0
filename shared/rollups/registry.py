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

Optional extensions (the signature above stays valid):

* ``unit="分"`` marks money (stored in 分, integers); the dashboard and the report show it
  in 元 with two decimals (``zhdj.formats.yuan``).
* ``order=`` how the dashboard lists the dimensions: ``"value"`` (largest first, the
  default), ``"stored"`` (as stored: age bands, stages) or ``"dimension"`` (by the
  dimension's text: months ``2026-09``).
* ``composition=False`` when the dimensions do not split one whole (months of dues, days
  of processing): the report then shows no 占比 (share) for them.
* ``per_org=`` a function yielding ``(org_id, dimension, value)``: the same figure for
  each organization *on its own* (not its subtree). The rollup stores these rows beside
  the organization's tree path, so the dashboard of a town committee sums its subtree
  and the e-map shows an organization's figures without reading the county's schema.
  Only additive figures (counts) may have one.
* ``@organization_directory`` names the one function yielding the county's organizations
  (:class:`OrgEntry`: id, tree path, name, type, category, coordinates) for subtree sums
  and the map. Organizations are not personal data.
* :func:`memo` caches a helper's result for one county's collection, so several metrics
  can share one aggregate query (one pass over the members table, not one per metric).
* :func:`run_memo` caches a helper that reads only public data (code tables, standards)
  and today's date for a whole run over the city (:func:`city_run`): every county of the
  run shares it, e.g. a statement built from the code tables once, not once per county.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from django.db.models import Aggregate, BigIntegerField, Q
from django.db.models.expressions import Star
from django.utils.module_loading import autodiscover_modules

MONEY_UNIT = "分"  # money is stored in 分 (integers) and shown in 元
ORDERS = ("value", "stored", "dimension")
Row = tuple[str, int]
OrgRow = tuple[int, str, int]
T = TypeVar("T")


@dataclass(frozen=True)
class Metric:
    key: str  # "<app>.<name>", e.g. "members.total"
    label: str  # Chinese label shown on the dashboard
    compute: Callable[[], Iterable[Row]]
    unit: str = "人"
    dimension_label: str = ""  # what the dimension means ("性别", "年龄段" …); "" = scalar
    per_org: Callable[[], Iterable[OrgRow]] | None = None
    order: str = "value"  # "value" | "stored" | "dimension"
    composition: bool = True

    @property
    def is_scalar(self) -> bool:
        return not self.dimension_label

    @property
    def is_money(self) -> bool:
        return self.unit == MONEY_UNIT


@dataclass(frozen=True)
class OrgEntry:
    """One organization of a county as the dashboard and the map know it (no people)."""

    org_id: int
    path: str  # the county tree's materialized path (subtree = path prefix)
    name: str
    type_code: str
    category_code: str
    latitude: Decimal | None
    longitude: Decimal | None


_REGISTRY: dict[str, Metric] = {}
_DIRECTORY: list[Callable[[], Iterable[OrgEntry]]] = []
_discovered = False
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("rollup_memo", default=None)
_run_memo: ContextVar[dict[Any, Any] | None] = ContextVar("rollup_run_memo", default=None)


def metric(
    key: str,
    *,
    label: str,
    unit: str = "人",
    dimension_label: str = "",
    per_org: Callable[[], Iterable[OrgRow]] | None = None,
    order: str = "value",
    composition: bool = True,
) -> Callable[[Callable[[], Iterable[Row]]], Callable[[], Iterable[Row]]]:
    if order not in ORDERS:
        raise ValueError(f"metric {key!r}: order must be one of {ORDERS}")

    def register(compute: Callable[[], Iterable[Row]]) -> Callable[[], Iterable[Row]]:
        if key in _REGISTRY and _REGISTRY[key].compute is not compute:
            raise ValueError(f"metric {key!r} declared twice")
        _REGISTRY[key] = Metric(
            key, label, compute, unit, dimension_label, per_org, order, composition
        )
        return compute

    return register


def organization_directory(
    func: Callable[[], Iterable[OrgEntry]],
) -> Callable[[], Iterable[OrgEntry]]:
    """Declare the function that lists a county's organizations (exactly one app does)."""
    if _DIRECTORY and _DIRECTORY[0] is not func:
        raise ValueError("organization directory declared twice")
    _DIRECTORY[:] = [func]
    return func


def _discover() -> None:
    global _discovered  # noqa: PLW0603
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True


def metrics() -> list[Metric]:
    """Every declared metric, after importing each installed app's ``metrics`` module."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda m: m.key)


def get_metric(key: str) -> Metric | None:
    _discover()
    return _REGISTRY.get(key)


def directory() -> Callable[[], Iterable[OrgEntry]] | None:
    _discover()
    return _DIRECTORY[0] if _DIRECTORY else None


@contextmanager
def collection() -> Iterator[None]:
    """The span of one county's collection: :func:`memo` results live this long."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


# The run_memo store of the last fanned-out run this process took part in: a worker
# process that rolls several counties of one run (shared.rollups.tasks) builds it once.
# One slot, replaced by the next run: {"run": id, "store": {...}}.
_process_run: dict[str, Any] = {}


@contextmanager
def city_run(run: str | None = None) -> Iterator[None]:
    """The span of one run over the counties: :func:`run_memo` results live this long.
    ``run``: the id of a fanned-out run, whose counties are rolled up by separate tasks;
    the tasks of one run that land in the same process share its store (only the latest
    run's is kept)."""
    if run is None:
        store: dict[Any, Any] = {}
    elif _process_run.get("run") == run:
        store = _process_run["store"]
    else:
        store = {}
        _process_run.update(run=run, store=store)
    token = _run_memo.set(store)
    try:
        yield
    finally:
        _run_memo.reset(token)


def _cached(func: Callable[[], T], *scopes: ContextVar[dict[Any, Any] | None]) -> Callable[[], T]:
    key = (func.__module__, func.__qualname__)

    @wraps(func)
    def cached() -> T:
        for scope in scopes:
            store = scope.get()
            if store is not None:
                if key not in store:
                    store[key] = func()
                return store[key]
        return func()

    return cached


def memo(func: Callable[[], T]) -> Callable[[], T]:
    """Cache ``func()`` for the current collection (no caching outside one)."""
    return _cached(func, _memo)


def run_memo(func: Callable[[], T]) -> Callable[[], T]:
    """Cache ``func()`` for the current city run, else for the current collection.
    Only for helpers that read public data and the date, never a county's schema."""
    return _cached(func, _run_memo, _memo)


class CountAll(Aggregate):
    """``count(*)``, optionally ``FILTER (WHERE …)`` — Django refuses ``Count("*", filter=)``
    and ``Count("id")`` made PostgreSQL scan the table where ``count(*)`` used an index."""

    function = "COUNT"
    output_field = BigIntegerField()
    empty_result_set_value = 0

    def __init__(self, *, filter: Q | None = None) -> None:
        super().__init__(Star(), filter=filter)
