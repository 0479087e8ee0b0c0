"""Helpers shared by the parts of bench/city/extras: seeded random streams, aware moments
in the county's time zone, the loading transaction (schema, pghistory context,
``pgtrigger.ignore``), the application's clock set to a given moment, and COPY in bulk-load
mode with the audit rows written and the foreign keys checked once per table."""

from __future__ import annotations

import contextlib
import hashlib
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from bench.city.bulk import audit_insert_sql, dangling_sql

SOURCE = "bench/city/extras"  # pghistory source of the audit rows


CITY_PREFIX = "陕西省榆林市"


BATCH = 5000


def _rng(seed: int, schema: str, part: str) -> random.Random:
    return random.Random(f"{seed}:{schema}:{part}")


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode()).digest()[:16])


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Moments:
    """Aware moments on given days in the current time zone (Beijing), never after now;
    the zone and now are read once (a hundred thousand payments)."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.zone = timezone.get_current_timezone()
        self.now = timezone.now().astimezone(self.zone)
        self.midnights: dict[date, datetime] = {}

    def at(self, day: date, rng: random.Random, first: int = 8, last: int = 18) -> datetime:
        """A moment on ``day`` between ``first`` and ``last`` o'clock (the hour included)."""
        start = self.midnights.get(day)
        if start is None:
            start = self.midnights[day] = datetime.combine(day, time.min, tzinfo=self.zone)
        moment = start + timedelta(seconds=rng.randint(first * 3600, last * 3600 + 3599))
        return min(moment, self.now)


def _at(day: date, rng: random.Random) -> datetime:
    """A moment on ``day`` during office hours, never later than now."""
    return _Moments().at(day, rng)


@contextlib.contextmanager
def _loading(schema: str) -> Iterator[None]:
    """The county's schema, one transaction, a pghistory context for the audit rows (as
    HistoryMiddleware gives a request) and ``pgtrigger.ignore`` set (as the generator)."""
    import pghistory
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    with schema_context(schema), transaction.atomic(), pghistory.context(source=SOURCE):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        yield


@contextlib.contextmanager
def _clock(at: datetime) -> Iterator[None]:
    """The application's clock reads ``at`` (``django.utils.timezone.now``, behind
    ``localdate`` and every ``auto_now``): a service runs on the day the work was done."""
    from unittest import mock

    from django.utils import timezone

    with mock.patch.object(timezone, "now", lambda: at):
        yield


def _admin() -> Any:
    from shared.accounts.models import User

    admin = User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("the county has no active administrator")
    return admin


def _place(schema: str) -> tuple[str, str]:
    """(region code, 陕西省榆林市榆阳区) of the county."""
    from shared.customers.models import Tenant

    tenant = Tenant.objects.get(schema_name=schema)
    return tenant.region_code, f"{CITY_PREFIX}{tenant.name}"


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection

    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


@contextlib.contextmanager
def _bulk_load() -> Iterator[None]:
    """Bulk-load mode inside the block (as bench/generator.py, and pg_restore
    --disable-triggers): no per-row triggers, so neither the audit trigger nor
    the deferred foreign-key check runs row by row; ``_loaded`` writes the audit rows and
    checks the keys once per table. Unique, NOT NULL and CHECK constraints hold as always."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield  # on an error the transaction rolls back, and the setting with it
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")


def _loaded(model: Any, label: str, ids: list[int]) -> None:
    """For rows written in bulk-load mode: the audit rows their trigger would have written
    (every column, ``label``, this load's pghistory context, NOW()), and their foreign keys
    checked."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS extras_ids")
        cursor.execute("CREATE TEMPORARY TABLE extras_ids (id bigint PRIMARY KEY)")
    _copy("extras_ids", ["id"], [(pk,) for pk in ids])
    where = "r.id IN (SELECT id FROM extras_ids)"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE extras_ids")
        cursor.execute("SELECT _pgh_attach_context()")  # once, not once per row
        context = cursor.fetchone()[0]
        cursor.execute(audit_insert_sql(model, where), [context, label])
        for sql, target in dangling_sql(model, where):
            cursor.execute(sql)
            if bad := cursor.fetchone()[0]:
                raise RuntimeError(f"{bad} {table} rows reference a missing {target} row")
        cursor.execute("DROP TABLE extras_ids")


def _insert(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """COPY ``rows`` (column → value, every column of the model but the id, which is
    reserved from the table's sequence) in bulk-load mode; returns their ids."""
    if not rows:
        return []
    ids = _reserve_ids(model, len(rows))
    for pk, row in zip(ids, rows, strict=True):
        row["id"] = pk
    columns = sorted(rows[0])
    _check_columns(model, set(columns))
    with _bulk_load():
        _copy(model._meta.db_table, columns, [tuple(r[c] for c in columns) for r in rows])
    _loaded(model, "insert", ids)
    return ids


def _reserve_ids(model: Any, n: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return [r[0] for r in cursor.fetchall()]


def _check_columns(model: Any, expected: set[str]) -> None:
    """Fail loudly when a model gains a column this loader does not write."""
    columns = {f.column for f in model._meta.concrete_fields}
    if columns != expected:
        raise SystemExit(
            f"{model._meta.db_table} columns changed ({sorted(columns ^ expected)}): "
            "update bench/city/extras"
        )
