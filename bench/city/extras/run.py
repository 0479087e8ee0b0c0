"""All three parts for the counties of a city, each timed, then ANALYZE of the tables filled
and a summary of what was made."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from time import perf_counter
from typing import Any

from bench.city.extras.developments import developments
from bench.city.extras.dues import dues
from bench.city.extras.transfers import transfers


def generate_extras(
    counties: list[dict[str, Any]], seed: int, today: date, *, dues_months: int = 3
) -> dict[str, Any]:
    """Developments, dues and transfers for the counties with members (``build_city``'s
    "counties"); returns the counts, seconds per part and a summary of what was made."""
    schemas = [c["schema"] for c in counties if c.get("members")]
    out: dict[str, Any] = {"counties": len(schemas)}
    started = perf_counter()
    t = perf_counter()
    out["developments"] = sum(developments(s, seed, today) for s in schemas)
    out["developments_s"] = round(perf_counter() - t, 2)
    t = perf_counter()
    out["dues_bills"] = sum(dues(s, seed, today, dues_months) for s in schemas)
    out["dues_s"] = round(perf_counter() - t, 2)
    t = perf_counter()
    out["transfers"] = transfers(schemas, seed, today)
    out["transfers_s"] = round(perf_counter() - t, 2)
    t = perf_counter()
    _analyze(schemas)
    out["analyze_s"] = round(perf_counter() - t, 2)
    out["total_s"] = round(perf_counter() - started, 2)
    out["summary"] = summary(schemas)
    return out


ANALYZED = (
    "development_developmentrecord", "development_stepentry", "dues_duesaccount",
    "dues_duesbase", "dues_duesbill", "dues_duespayment", "transfers_transfer",
)  # fmt: skip


def _analyze(schemas: list[str]) -> None:
    """What autovacuum would do next: statistics for the tables just filled."""
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in schemas:
            for table in ANALYZED:
                cursor.execute(f'ANALYZE "{schema}"."{table}"')


def summary(schemas: list[str]) -> dict[str, Any]:
    """Counts over the counties: records by stage, steps late and pending, bills and
    payments by status and channel, flags, transfers by kind and state."""
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from tenants.development.models import DevelopmentRecord, StepEntry
    from tenants.dues.models import ArrearsFlag, DuesBill, DuesPayment
    from tenants.transfers.models import Transfer

    totals: dict[str, Counter] = defaultdict(Counter)

    def add(key: str, rows: Any) -> None:
        for *keys, n in rows:
            totals[key][":".join(map(str, keys))] += n

    for schema in schemas:
        with schema_context(schema):
            add("stages", DevelopmentRecord.objects.order_by().values_list("status")
                .annotate(n=Count("*")))  # fmt: skip
            add("entries", StepEntry.objects.order_by().values_list("state").annotate(n=Count("*")))
            add("late_steps", [("late", StepEntry.objects.filter(late_days__gt=0).count())])
            add("bills", DuesBill.objects.order_by().values_list("status").annotate(n=Count("*")))
            add("payments", DuesPayment.objects.order_by().values_list("channel")
                .annotate(n=Count("*")))  # fmt: skip
            add("arrears_flags", [("open", ArrearsFlag.objects.filter(resolved_at=None).count())])
            add("transfers", Transfer.objects.order_by().values_list("kind", "state")
                .annotate(n=Count("*")))  # fmt: skip
    return {k: dict(v) for k, v in totals.items()}
