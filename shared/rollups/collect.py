"""Collect one county's figures from the registry (runs inside the county's schema).

Every declared metric is computed once; helpers shared by several metrics run once per
county thanks to :func:`shared.rollups.registry.memo`. The result is checked here, so a
metric that yields a non-integer or an over-long dimension fails loudly with its key
instead of writing nonsense into the city's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.rollups.registry import Metric, OrgEntry, collection, directory, metrics

DIMENSION_MAX = 64


@dataclass
class Collected:
    figures: dict[tuple[str, str], int] = field(default_factory=dict)
    org_figures: dict[tuple[int, str, str], int] = field(default_factory=dict)
    orgs: list[OrgEntry] = field(default_factory=list)


def _checked(key: str, dimension: object, value: object) -> tuple[str, int]:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"metric {key!r} yielded a non-integer value {value!r}")
    text = str(dimension or "")
    if len(text) > DIMENSION_MAX:
        raise ValueError(f"metric {key!r} yielded a dimension longer than {DIMENSION_MAX}")
    return text, value


def _add_per_org(into: dict[tuple[int, str, str], int], m: Metric) -> None:
    """A metric's per-organization rows (thousands per county: the common case of an int
    value and a short text dimension is checked inline, anything else by ``_checked``)."""
    key = m.key
    for org_id, dimension, value in m.per_org():  # type: ignore[misc]
        if type(value) is int and type(dimension) is str and len(dimension) <= DIMENSION_MAX:
            dim, n = dimension, value
        else:
            dim, n = _checked(key, dimension, value)
        if n:
            k = (org_id if type(org_id) is int else int(org_id), key, dim)
            if k in into:
                into[k] += n
            else:
                into[k] = n


def collect_current() -> Collected:
    """The figures of the county whose schema is active on the connection."""
    out = Collected()
    with collection():
        for m in metrics():
            for dimension, value in m.compute():
                dim, n = _checked(m.key, dimension, value)
                out.figures[(m.key, dim)] = out.figures.get((m.key, dim), 0) + n
            if m.per_org is not None:
                _add_per_org(out.org_figures, m)
        listing = directory()
        if listing is not None:
            out.orgs = list(listing())
    return out
