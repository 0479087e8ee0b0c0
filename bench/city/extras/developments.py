"""1. Developments (发展党员, domain-rules §1): development records at every stage in one
county (what and how many: the package docstring). ``development_context`` reads the county
once, ``development_plans`` draws each record's dates, ``development_entries`` builds and
checks its entries and writes them."""

from __future__ import annotations

from datetime import date

from bench.city.extras.common import _loading, _rng
from bench.city.extras.development_context import _dev_context
from bench.city.extras.development_entries import _build, _write_developments
from bench.city.extras.development_plans import _plans

SHARE = 0.0175


STAGES = (
    ("applicant", 0.30),
    ("activist", 0.30),
    ("target", 0.16),
    ("probationary", 0.16),
    ("full", 0.08),
)


def developments(
    schema: str, seed: int, today: date, *, share: float = SHARE, count: int | None = None
) -> int:
    """Development records at every stage in one county (see the package docstring);
    ``count`` overrides ``share`` × members. Returns the records created."""
    from tenants.members.models import Member

    rng = _rng(seed, schema, "development")
    with _loading(schema):
        c = _dev_context(schema, today)
        total = count if count is not None else round(Member.objects.count() * share)
        total = max(total, len(STAGES))
        items, dropped = [], 0
        for stage, part in STAGES:
            for plan in _plans(c, rng, stage, max(1, round(total * part))):
                built = _build(c, rng, plan)
                dropped += built is None
                if built is not None:
                    items.append(built)
        _write_developments(items)
    if dropped:
        print(f"  {schema}: {dropped} development record(s) dropped (a rule check failed)")
    return len(items)
