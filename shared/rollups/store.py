"""Write one county's figures into the public rollup tables (idempotent upserts).

One transaction per county: upsert every figure of the period with this run's
``computed_at``, then delete the county's rows of the same period that this run did not
write (a dimension that disappeared). Per-organization rows are compared with the stored
ones and only the difference is written (their ``computed_at`` is when they last changed).
The organization rows are skipped altogether when their digest equals the one stored by
the previous run (``org_digest``). A run that dies half-way writes nothing; a run
repeated writes the same rows again — nothing is ever counted twice. A county-wide
advisory lock orders concurrent runs, and a run that *started* before the last stored
one is dropped (an older view of the county never overwrites a newer one).
"""

from __future__ import annotations

import hashlib
import marshal
from datetime import date, datetime

from django.db import connection, transaction

from shared.rollups.collect import Collected

LOCK_NAMESPACE = 7_461_001  # pg_advisory_xact_lock(namespace, tenant id)


def store(
    *, tenant_id: int, period: date, started_at: datetime, finished_at: datetime, data: Collected
) -> bool:
    """Store ``data`` for the tenant; False when a newer run has already stored its view."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, tenant_id])
        cursor.execute(
            "SELECT started_at, org_digest FROM public.rollups_tenantrollup WHERE tenant_id = %s",
            [tenant_id],
        )
        row = cursor.fetchone()
        if row is not None and row[0] > started_at:
            return False
        _write_figures(cursor, tenant_id, period, finished_at, data)
        digest = org_digest(data)
        if row is None or row[1] != digest:
            _write_orgs(cursor, tenant_id, finished_at, data)
        seconds = (finished_at - started_at).total_seconds()
        cursor.execute(
            """
            INSERT INTO public.rollups_tenantrollup
                (tenant_id, period, started_at, finished_at, seconds, runs, org_digest)
            VALUES (%s, %s, %s, %s, %s, 1, %s)
            ON CONFLICT (tenant_id) DO UPDATE SET
                period = EXCLUDED.period, started_at = EXCLUDED.started_at,
                finished_at = EXCLUDED.finished_at, seconds = EXCLUDED.seconds,
                runs = public.rollups_tenantrollup.runs + 1, org_digest = EXCLUDED.org_digest
            """,
            [tenant_id, period, started_at, finished_at, seconds, digest],
        )
    return True


def org_digest(data: Collected) -> str:
    """A digest of the organization rows of ``data`` (directory and per-organization
    figures, in collection order). Equal to the stored one: the county's organization rows
    are already what this run would write, so the run skips reading and comparing them
    (thousands of rows per county; most runs of the periodic rollup change none).
    marshal version 2 writes no back-references, so equal data gives equal bytes."""
    units = [
        (o.org_id, o.path, o.name, o.type_code, o.category_code, str(o.latitude), str(o.longitude))
        for o in data.orgs
    ]
    payload = marshal.dumps((units, data.org_figures), 2)
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _write_figures(cursor, tenant_id: int, period: date, at: datetime, data: Collected) -> None:  # type: ignore[no-untyped-def]
    keys = list(data.figures)
    if keys:
        cursor.execute(
            """
            INSERT INTO public.rollups_figure
                (tenant_id, period, metric, dimension, value, computed_at)
            SELECT %s, %s, m, d, v, %s
              FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS t(m, d, v)
            ON CONFLICT (tenant_id, period, metric, dimension)
            DO UPDATE SET value = EXCLUDED.value, computed_at = EXCLUDED.computed_at
            """,
            [
                tenant_id,
                period,
                at,
                [k[0] for k in keys],
                [k[1] for k in keys],
                [data.figures[k] for k in keys],
            ],
        )
    cursor.execute(
        "DELETE FROM public.rollups_figure "
        "WHERE tenant_id = %s AND period = %s AND computed_at < %s",
        [tenant_id, period, at],
    )


def _write_orgs(cursor, tenant_id: int, at: datetime, data: Collected) -> None:  # type: ignore[no-untyped-def]
    """The organization rows change little between runs (one member edited changes a few
    cells): compare with what is stored and write only the difference."""
    cursor.execute(
        "SELECT org_id, path, name, type_code, category_code, latitude, longitude "
        "FROM public.rollups_orgunit WHERE tenant_id = %s",
        [tenant_id],
    )
    old_units = {row[0]: row[1:] for row in cursor.fetchall()}
    new_units = {
        o.org_id: (o.path, o.name, o.type_code, o.category_code, o.latitude, o.longitude)
        for o in data.orgs
    }
    changed = [(k, *v) for k, v in new_units.items() if old_units.get(k) != v]
    if changed:
        cols = list(zip(*changed, strict=True))
        cursor.execute(
            """
            INSERT INTO public.rollups_orgunit
                (tenant_id, org_id, path, name, type_code, category_code,
                 latitude, longitude, computed_at)
            SELECT %s, i, p, n, t, c, la, lo, %s
              FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
                          %s::numeric[], %s::numeric[]) AS x(i, p, n, t, c, la, lo)
            ON CONFLICT (tenant_id, org_id) DO UPDATE SET
                path = EXCLUDED.path, name = EXCLUDED.name, type_code = EXCLUDED.type_code,
                category_code = EXCLUDED.category_code, latitude = EXCLUDED.latitude,
                longitude = EXCLUDED.longitude, computed_at = EXCLUDED.computed_at
            """,
            [tenant_id, at, *map(list, cols)],
        )
    gone = [k for k in old_units if k not in new_units]
    if gone:
        cursor.execute(
            "DELETE FROM public.rollups_orgunit WHERE tenant_id = %s AND org_id = ANY(%s)",
            [tenant_id, gone],
        )

    cursor.execute(
        "SELECT org_id, metric, dimension, value, path FROM public.rollups_orgfigure "
        "WHERE tenant_id = %s",
        [tenant_id],
    )
    old = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
    # Only organizations of the directory: a figure of an unknown org could not be placed.
    new = {k: (v, new_units[k[0]][0]) for k, v in data.org_figures.items() if k[0] in new_units}
    upserts = [(*k, *v) for k, v in new.items() if old.get(k) != v]
    if upserts:
        i, m, d, v, p = (list(c) for c in zip(*upserts, strict=True))
        cursor.execute(
            """
            INSERT INTO public.rollups_orgfigure
                (tenant_id, org_id, path, metric, dimension, value, computed_at)
            SELECT %s, i, p, m, d, v, %s
              FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::bigint[])
                   AS x(i, p, m, d, v)
            ON CONFLICT (tenant_id, org_id, metric, dimension) DO UPDATE SET
                path = EXCLUDED.path, value = EXCLUDED.value, computed_at = EXCLUDED.computed_at
            """,
            [tenant_id, at, i, p, m, d, v],
        )
    vanished = [k for k in old if k not in new]
    if vanished:
        i, m, d = (list(c) for c in zip(*vanished, strict=True))
        cursor.execute(
            """
            DELETE FROM public.rollups_orgfigure f
             USING unnest(%s::bigint[], %s::text[], %s::text[]) AS x(i, m, d)
             WHERE f.tenant_id = %s AND f.org_id = x.i AND f.metric = x.m AND f.dimension = x.d
            """,
            [i, m, d, tenant_id],
        )
