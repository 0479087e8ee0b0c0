#!/usr/bin/env python
"""Synthetic city generator: N counties (tenants) with M party members each.

    .venv/bin/python bench/generator.py --counties 3 --members 50000 --seed 1 \\
        --db zhdj_bench_city [--check 200] [--workers 2] [--method copy|orm]

1. Recreates the bench database (``zhdj_bench_*`` only), migrates the public schema, makes
   the template schema and onboards the counties with the application's own
   ``shared.customers.services.tenant_onboard`` (clone): the city's 12 county codes of
   shared/standards/data/regions.json first; beyond 12, bench-only county codes 6108xx
   (基准测试县xx) are inserted into standards_region of this database, as bench/onboard.py
   does. Each county gets an administrator ``admin_<schema>`` (password PASSWORD below).
2. Plans each county's organization tree (bench/city/orgtree.py: county committee → towns and
   streets as 基层党委 → villages and communities as 党支部, a few 党小组; county organs under a
   直属机关工委; a few large units as 基层党委 → 党总支 → 党支部; about one branch per 64
   members) and loads it under the onboarded root with treebeard's ``load_bulk``, plus one
   组织沿革 (OrganizationChange "成立") row per organization.
3. Generates the members (bench/city/people.py: deterministic from --seed; valid by
   construction) in chunks of 5,000 in --workers processes and loads them with binary COPY
   into members_member: the derived columns exactly as
   ``tenants.members.services.member_fill`` sets them (``name_keys`` for pinyin,
   ``index_for`` for the blind indexes), the personal values
   encrypted with ``zhdj.pii.crypto.encrypt`` under the county's schema, as the
   EncryptedTextField does on save. Ids are explicit: each county's block of the identity
   sequence is reserved before the workers start (``reserve_ids``), so a chunk selects its
   rows by a primary-key range. The table's unique, NOT NULL and CHECK constraints apply as
   always; its plain indexes (backing no constraint) are dropped before the load and built
   after it, inside the timed load (``drop_plain_indexes`` / ``build_indexes``, what
   pg_restore does; ``--keep-indexes`` keeps them). Row triggers are switched off for each
   chunk's transaction (``session_replication_role = replica``, as ``pg_restore
   --disable-triggers`` does) and their work is done once per 5,000-row chunk instead: the
   audit rows the pghistory insert trigger writes (``members_memberevent``, same columns,
   label and context) by one ``INSERT … SELECT`` over the chunk's id range, and the foreign
   keys (organization, user) by one query over it that fails the chunk on any dangling
   reference. ``--row-triggers`` lets the triggers run row by row (about a third slower;
   docs/performance.md §0e). ``--method orm`` loads through
   ``Member.objects.bulk_create(batch_size=5000)`` instead (slower; same values).
4. Posts (书记, 组织委员 …) for a few members of every organization (``Post`` rows).
5. ``VACUUM ANALYZE`` of the loaded tables (what autovacuum would do next), then a summary:
   counties, organizations, members, seconds, members/s, and the distributions.

``--check N`` re-validates N random members with ``tenants.members.validation.
validate_member`` (decrypted through the model) and recomputes their derived columns; it also
runs treebeard's ``find_problems`` on every county's tree.

6. Unless ``--no-extras``: developments in progress at every stage (发展党员), dues history
   (``--dues-months`` of bills, ~98 % paid) and pending transfers within and between the
   counties (组织关系转接), by ``bench/city/extras`` (what it makes: its docstring). Timed
   apart from the members (``extras_s``); ``build_city(extras=True)`` from the other
   benchmarks, which by default load members only.

Writes bench/results-generator.json and bench/.out/city-<db>.json (what bench/members.py
needs to reuse the database).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.city.people import add_years  # noqa: E402
from bench.common import (  # noqa: E402
    BASE_DOMAIN,
    OUT,
    PG_URL,
    check_db_name,
    code_version,
    machine,
    machine_line,
    recreate_database,
)
from bench.routing import (  # noqa: E402
    CLK_TCK,
    _machine_busy,
    _pg_backends,
    _proc_cpu,
    wait_quiet,
)

SETTINGS = "bench.settings_members"
PASSWORD = "Bench-Only-Passw0rd!"
RESULTS = ROOT / "bench" / "results-generator.json"
CITY_PREFIX = "陕西省榆林市"
MAX_COUNTIES = 98  # county codes 610801..610899 (610800 is the city)

# members_member columns written by the loader, in COPY order.
DERIVED = ("name_pinyin", "name_initials", "id_number_index", "phone_index")
CONSTANT = {  # status fields: set only by explicit actions, defaults at registration
    "party_status_code": "normal",
    "lost_contact": False,
    "lost_contact_at": None,
    "lost_contact_code": "",
    "user_id": None,
}


def setup_django(db: str) -> None:
    check_db_name(db)
    os.environ["BENCH_MEMBERS_DB"] = db
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def clear_cache() -> None:
    """Delete this database's keys from Redis DB 9 (its own cache prefix), nothing else."""
    import redis
    from django.conf import settings

    from bench.common import REDIS_URL

    client = redis.Redis.from_url(REDIS_URL)
    if client.connection_pool.connection_kwargs.get("db", 0) in (0, 5):
        raise SystemExit("refusing to touch Redis DB 0/5 (development/tests); use DB 9")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


# ------------------------------------------------------------------------------
# Counties: region codes, onboarding
# ------------------------------------------------------------------------------
def county_codes(n: int) -> list[tuple[str, str]]:
    """(code, name) of ``n`` counties: the city's real ones, then bench-only 6108xx codes
    inserted into this database's standards_region."""
    from django.conf import settings

    from shared.standards.models import Region

    prefix = settings.ZHDJ_CITY_REGION_PREFIX
    real = list(
        Region.objects.filter(level=Region.Level.COUNTY, code__startswith=prefix)
        .exclude(code__endswith="00")
        .order_by("code")
        .values_list("code", "name")
    )
    if n > len(real):
        existing = {code for code, _ in real}
        extra = [
            Region(code=f"{prefix}{i:02d}", name=f"基准测试县{i:02d}", level=Region.Level.COUNTY)
            for i in range(1, 100)
            if f"{prefix}{i:02d}" not in existing
        ][: n - len(real)]
        Region.objects.bulk_create(extra)
        real += [(r.code, r.name) for r in extra]
    if n > len(real):
        raise SystemExit(f"only {len(real)} county codes available")
    return real[:n]


def schema_for(code: str, name: str, taken: set[str]) -> str:
    from pypinyin import lazy_pinyin

    base = name.removeprefix("基准测试")
    for suffix in ("自治县", "县", "区", "市"):
        if len(base) > 2 and base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    schema = "".join(lazy_pinyin(base, errors="ignore")).lower()
    schema = "".join(c for c in schema if c.isascii() and c.isalnum())
    if not schema or not schema[0].isalpha() or schema in taken or len(schema) < 2:
        schema = f"county{code[-2:]}"
    if schema in taken:
        schema = f"{schema}{code[-2:]}"
    taken.add(schema)
    return schema


def onboard(codes: list[tuple[str, str]]) -> list[dict[str, Any]]:
    taken: set[str] = set()
    counties = []
    for i, (code, name) in enumerate(codes):
        schema = schema_for(code, name, taken)
        county = {
            "index": i,
            "schema": schema,
            "name": name,
            "region_code": code,
            "host": f"{schema}.{BASE_DOMAIN}",
            "admin_username": f"admin_{schema}",
            "admin_password": PASSWORD,
        }
        onboard_one(county)
        counties.append(county)
    return counties


def onboard_one(county: dict[str, Any]) -> None:
    """Open one county with the application's tenant_onboard (clone of the template)."""
    from django.db import connection

    from shared.customers.services import OnboardingRequest, tenant_onboard

    req = OnboardingRequest(
        name=county["name"],
        region_code=county["region_code"],
        schema_name=county["schema"],
        domain=county["host"],
        admin_username=county["admin_username"],
        admin_full_name="基准 管理员",
        admin_password=county["admin_password"],
    )
    connection.close()  # one onboarding per session (clone slows down on one session)
    result = tenant_onboard(req, method="clone")
    county["onboard_seconds"] = round(result.seconds, 3)
    _otp_device(county)
    connection.close()


def _otp_device(county: dict[str, Any]) -> None:
    """The administrator's 动态口令, with the test suite's known secret: bench/members.py
    logs in as them (tests/support/otp.py computes the codes)."""
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tests.support.otp import seed_device

    with schema_context(county["schema"]):
        seed_device(User.objects.get(username=county["admin_username"]))


# ------------------------------------------------------------------------------
# Organization trees
# ------------------------------------------------------------------------------
def load_tree(county: dict[str, Any], members: int, seed: int, today: date):  # type: ignore[no-untyped-def]
    """Plan and load one county's tree; returns the plan (bench.city.people.CountyPlan)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from bench.city.orgtree import plan_county
    from bench.city.people import CountyPlan, Slot
    from tenants.orgs.models import Organization, OrganizationChange

    name = county["name"]
    unit = name[-1] if name[-1] in "县区市" else "县"
    tree = plan_county(
        random.Random(f"{seed}:{county['index']}:orgs"),
        county=name,
        members=members,
        today=today,
        unit=unit,
    )

    def data(spec) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {
            "data": {
                "name": spec.name,
                "type_code": spec.type_code,
                "category_code": spec.category_code,
                "unit_situation_code": spec.unit_situation_code,
                "unit_name": spec.unit_name[:100],
                "has_approval_authority": spec.has_approval_authority,
                "term_started_at": spec.term_started_at,
                "term_ends_at": add_years(spec.term_started_at, spec.term_years),
            },
            "children": [data(c) for c in spec.children],
        }

    with schema_context(county["schema"]), transaction.atomic(), audit_context():
        root = Organization.objects.get_root_nodes().get()
        tree.root.pk = root.pk
        top = tree.root.children
        added = Organization.objects.load_bulk(
            [data(c) for c in top], parent=root, bulk_create=True, batch_size=2000
        )
        # load_bulk returns the first level's ids, then every descendant in pre-order.
        order = top + [d for c in top for d in list(c.walk())[1:]]
        if len(order) != len(added):
            raise RuntimeError(f"load_bulk returned {len(added)} ids for {len(order)} nodes")
        for spec, pk in zip(order, added, strict=True):
            spec.pk = pk
        parents = {c.pk: p for p in tree.root.walk() for c in p.children}
        OrganizationChange.objects.bulk_create(
            [
                OrganizationChange(
                    org_id=spec.pk,
                    action=OrganizationChange.Action.CREATE,
                    effective_date=spec.founded_at,
                    before={},
                    after={
                        "name": spec.name,
                        "type_code": spec.type_code,
                        "parent": parents[spec.pk].name,
                    },
                    reason="基准数据",
                )
                for spec in order
            ],
            batch_size=2000,
        )
        tree.root.name = root.name

    # Who fills which post: each branch's own posts first, then the posts of the
    # committees, general branches and groups drawn from it.
    leaders: dict[int, list[list[tuple[int, str, date]]]] = {}
    for spec in tree.branches:
        leaders[id(spec)] = [[(spec.pk, p, spec.term_started_at)] for p in spec.posts]
    for spec in tree.root.walk():
        if spec.type_code == "branch" or spec.post_source is None:
            continue
        source = leaders[id(spec.post_source)]
        for p in spec.posts:
            source.append([(spec.pk, p, spec.term_started_at)])
    slots = []
    start = 0
    for spec in tree.branches:
        lst = leaders[id(spec)]
        while len(lst) > spec.size:  # a small branch: its members hold several posts
            extra = lst.pop()
            lst[(len(lst)) % spec.size].extend(extra)
        slots.append(Slot(spec.pk, spec.kind, spec.size, start, spec.place[0], spec.place[1], lst))
        start += spec.size
    assert start == members, (start, members)
    return CountyPlan(
        index=county["index"],
        schema=county["schema"],
        region_code=county["region_code"],
        name=name,
        address_prefix=f"{CITY_PREFIX}{name}",
        members=members,
        slots=slots,
        streets=tree.streets,
        towns=tree.towns,
        seed=seed,
        today=today,
    ), tree


@contextlib.contextmanager
def audit_context():  # type: ignore[no-untyped-def]
    """Inside a transaction: a pghistory context for the audit rows of this load (as
    HistoryMiddleware gives a request) and ``pgtrigger.ignore = '{}'`` (no trigger ignored),
    so that the triggers do not raise and catch an error per row (see load_chunk)."""
    import pghistory
    from django.db import connection

    with pghistory.context(source="bench/generator.py"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        yield


# ------------------------------------------------------------------------------
# Members: workers (forked; each has its own database connection)
# ------------------------------------------------------------------------------
# Worker state, set in the parent before the workers are forked.
_PLANS: list[Any] = []
_KEYS: dict[str, tuple[str, str]] = {}
_STATE: dict[str, Any] = {"names": None, "conn": None}
_CFG: dict[str, Any] = {}
_PII: dict[str, Any] = {}
_CPU: dict[str, float] = {}


def set_names(pool: Any) -> None:
    _STATE["names"] = pool
    _KEYS.clear()
    _KEYS.update({n: (p, i) for names in pool.names.values() for n, p, i in names})


def member_columns() -> tuple[list[str], dict[str, Any]]:
    """The COPY column list, checked against the model: every concrete column is written.
    A column the generator does not know (a field added since) gets its default."""
    from bench.city.people import FIELDS
    from tenants.members.models import Member
    from zhdj.pii.fields import EncryptedTextField

    known = [*FIELDS, *DERIVED, *CONSTANT, "created_at", "updated_at"]
    extra: dict[str, Any] = {}
    for f in Member._meta.concrete_fields:
        if f.primary_key or f.column in known:
            continue
        if isinstance(f, EncryptedTextField) or not (f.has_default() or f.null):
            raise SystemExit(
                f"members_member.{f.column} is new and has no default: teach "
                "bench/city/people.py to generate it"
            )
        extra[f.column] = f.get_default()
    missing = [c for c in known if c not in {f.column for f in Member._meta.concrete_fields}]
    if missing:
        raise SystemExit(f"members_member has no column(s) {missing}: update bench/generator.py")
    return known + list(extra), extra


def _connect():  # type: ignore[no-untyped-def]
    if _STATE["conn"] is None:
        import psycopg

        _STATE["conn"] = psycopg.connect(
            f"{PG_URL}/{_CFG['db']}", application_name="zhdj_bench_generator", autocommit=True
        )
    return _STATE["conn"]


def _rows(plan, chunk: int, leaders: list, first_id: int):  # type: ignore[no-untyped-def]
    """Rows of one chunk as the application would store them, ids from ``first_id`` on
    (with the plain values); the post holders are appended to ``leaders``."""
    from django.utils import timezone

    from bench.city.people import generate_chunk
    from bench.city.pii import CountyPII

    pii = _PII.get(plan.schema)
    if pii is None:
        key_id = _CFG["key_ids"][plan.schema]  # the county's key identity (Tenant.key_id)
        pii = _PII[plan.schema] = CountyPII(key_id, exact=_CFG["exact_crypto"])
    encrypt, index_id, index_phone = pii.encrypt, pii.index_id_number, pii.index_phone
    keys = _KEYS
    now = timezone.now()  # created_at / updated_at, once per chunk
    constant = (*CONSTANT.values(), now, now, *_CFG["extra"].values())
    next_id = first_id
    for values in generate_chunk(plan, chunk, _STATE["names"]):
        (org_id, name, id_number, sex, eth, birth, edu, cat, joined, full, job, occ,
         phone, landline, address, flowing, dest, posts) = values  # fmt: skip
        id_index = index_id(id_number)
        pinyin, initials = keys[name]
        row = (
            next_id,
            org_id,
            name,
            encrypt(id_number),
            sex,
            eth,
            birth,
            edu,
            cat,
            joined,
            full,
            job,
            occ,
            encrypt(phone) if phone else phone,
            encrypt(landline) if landline else landline,
            encrypt(address) if address else address,
            flowing,
            dest,
            pinyin,
            initials,
            id_index,
            index_phone(phone),
            *constant,
        )
        if posts:
            since = full or joined
            leaders.append((id_index, [(o, p, max(s, since)) for o, p, s in posts]))
        next_id += 1
        yield row, values


def load_chunk(task: tuple[int, int]) -> dict[str, Any]:
    county_i, chunk = task
    plan = _PLANS[county_i]
    t0 = time.perf_counter()
    if _CFG["method"] == "orm":
        return _load_chunk_orm(plan, chunk, t0)
    conn = _connect()
    cols = ", ".join(f'"{c}"' for c in ("id", *_CFG["columns"]))
    leaders: list = []
    # This chunk's ids: its block of the county's reserved range (reserve_ids).
    first = _CFG["first_ids"][county_i] + chunk * _CFG["chunk"]
    count = 0
    with conn.transaction():
        # The audit triggers insert into unqualified tables: the tenant's search_path.
        conn.execute(f'SET LOCAL search_path TO "{plan.schema}", public')
        # Attribute the audit rows to this load (as HistoryMiddleware does for a request).
        # One context per transaction: the trigger upserts (and so locks) the context row,
        # and a context shared by concurrent transactions would serialize them.
        conn.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true), "
            "set_config('pgtrigger.ignore', '{}', true)",
            [str(uuid.uuid4()), json.dumps({"source": "bench/generator.py", "chunk": chunk})],
        )
        set_based = _CFG["set_based"]
        if set_based:
            # Bulk-load mode (what pg_restore --disable-triggers does): no per-row triggers,
            # so neither the audit trigger nor the deferred foreign-key checks run row by
            # row; both are done below for the whole chunk in one statement each. Unique,
            # NOT NULL and CHECK constraints are enforced by PostgreSQL as always.
            conn.execute("SET LOCAL session_replication_role = replica")
        # Binary COPY: values go as the column types' binary forms (psycopg's C dumpers for
        # the column type oids), which the server stores without parsing text; the same
        # input checks apply (encoding, varchar lengths, NOT NULL, constraints).
        copy_sql = f"COPY members_member ({cols}) FROM STDIN (FORMAT BINARY)"
        with conn.cursor().copy(copy_sql) as copy:
            copy.set_types(_CFG["types"])
            write = copy.write_row
            for row, _values in _rows(plan, chunk, leaders, first):
                write(row)
                count += 1
        if set_based:
            _audit_and_check(conn, first, first + count - 1)
    return {"county": county_i, "chunk": chunk, "members": count, "leaders": leaders,
            "seconds": time.perf_counter() - t0}  # fmt: skip


def _audit_and_check(conn, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    """For the rows just copied (ids ``first``..``last``, a range scan of the primary key):
    the audit rows the insert trigger would have written and the foreign keys checked
    (bench/city/bulk.py)."""
    context = conn.execute("SELECT _pgh_attach_context()").fetchone()[0]  # once per chunk
    conn.execute(_CFG["audit_sql"], [context, "insert", first, last])
    for sql, target in _CFG["dangling_sql"]:
        if bad := conn.execute(sql, [first, last]).fetchone()[0]:
            raise RuntimeError(f"{bad} member rows reference a missing {target} row")


def reserve_ids(plans: list, db: str) -> list[int]:  # type: ignore[type-arg]
    """The first member id of each county: a block of ``plan.members`` values of the table's
    identity sequence is taken before the workers start (nextval, then setval past the
    block), so every chunk knows its ids (first + chunk × CHUNK + i) and selects its rows
    by a primary-key range for the audit rows and checks. What pg_restore does: explicit
    ids, the sequence moved past them. A writer that took a value of the block between the
    two statements would make the load fail on the primary key, not corrupt it."""
    import psycopg

    firsts = []
    with psycopg.connect(f"{PG_URL}/{db}", autocommit=True) as conn:
        for plan in plans:
            seq = conn.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')", [f'"{plan.schema}".members_member']
            ).fetchone()[0]
            first = conn.execute("SELECT nextval(%s)", [seq]).fetchone()[0]
            if plan.members > 1:
                conn.execute("SELECT setval(%s, %s)", [seq, first + plan.members - 1])
            firsts.append(first)
    return firsts


def column_types(schema: str, columns: list[str], db: str) -> list[int]:
    """The type oids of members_member's ``columns``, in order, for a binary COPY (every
    county's table is cloned from the template, so one schema answers for all)."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/{db}", autocommit=True) as conn:
        found = dict(
            conn.execute(
                "SELECT attname, atttypid::int FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [f'"{schema}".members_member'],
            ).fetchall()
        )
    missing = [c for c in columns if c not in found]
    if missing:
        raise SystemExit(f"members_member has no column(s) {missing}")
    return [found[c] for c in columns]


# Tables whose plain indexes (those backing no constraint) are built after the load: the
# member table's (random keys: pinyin, initials, phone index). The audit table's indexes
# (object id, context, organization, user) grow in key order during the load, which costs
# less than scanning its heap once per index afterwards, so they stay.
DEFERRED_INDEX_TABLES = ("members_member",)


def drop_plain_indexes(schemas: list[str], db: str) -> list[str]:
    """Drop the indexes of DEFERRED_INDEX_TABLES in ``schemas`` that back no constraint and
    return their definitions (``pg_get_indexdef``) for build_indexes. What PostgreSQL's
    manual advises for bulk loading ("Remove Indexes", 14.4.3) and pg_restore does: load
    the rows, then build each index in one sorted pass. The primary keys and the unique
    constraints (ID-number index, user) stay and are checked row by row during the load."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/{db}", autocommit=True) as conn, conn.transaction():
        rows = conn.execute(
            "SELECT format('%%I.%%I', n.nspname, x.relname), pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = ANY(%s) AND t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [schemas, list(DEFERRED_INDEX_TABLES)],
        ).fetchall()
        for name, _definition in rows:
            conn.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def build_indexes(definitions: list[str], db: str, workers: int) -> int:
    """Build the indexes drop_plain_indexes dropped, on ``workers`` connections at once
    (CREATE INDEX takes a SHARE lock, so several can build on one table), each index by its
    own backend without parallel workers so that all their CPU is counted; returns that CPU
    in clock ticks."""
    import queue
    import threading

    import psycopg

    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for definition in definitions:
        todo.put(definition)
    ticks: list[int] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            with psycopg.connect(f"{PG_URL}/{db}", autocommit=True) as conn:
                conn.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        definition = todo.get_nowait()
                    except queue.Empty:
                        break
                    conn.execute(definition)
                ticks.append(_proc_cpu(conn.info.backend_pid))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    n = max(1, min(workers, len(definitions)))
    threads = [threading.Thread(target=build) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sum(ticks)


def _load_chunk_orm(plan, chunk: int, t0: float) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The same rows through Member.objects.bulk_create: the model encrypts on save."""
    import pghistory
    from django.db import transaction
    from django_tenants.utils import schema_context

    from bench.city.people import FIELDS
    from tenants.members.models import Member
    from zhdj.pii.fields import index_for

    objs = []
    leaders: list = []
    with schema_context(plan.schema), pghistory.context(source="bench/generator.py"):
        for _row, values in _rows(plan, chunk, leaders, 0):  # the database numbers them
            kw = dict(zip(FIELDS, values[: len(FIELDS)], strict=True))
            m = Member(**kw, **CONSTANT)
            m.name_pinyin, m.name_initials = _KEYS[m.name]
            m.id_number_index = index_for("id_number", m.id_number)
            m.phone_index = index_for("phone", m.phone)
            objs.append(m)
        with transaction.atomic():
            Member.objects.bulk_create(objs, batch_size=5000)
    return {"county": plan.index, "chunk": chunk, "members": len(objs), "leaders": leaders,
            "seconds": time.perf_counter() - t0}  # fmt: skip


def load_members(  # type: ignore[no-untyped-def]
    plans: list,
    workers: int,
    method: str,
    db: str,
    *,
    exact_crypto: bool,
    set_based: bool = True,
    defer_indexes: bool = True,
    progress: bool = True,
    quiet_wait: float = 20.0,
):
    from django.db import connections

    from bench.city.people import CHUNK

    columns, extra = member_columns()
    from bench.city.bulk import audit_insert_sql, dangling_sql
    from tenants.members.models import Member
    from zhdj.pii.crypto import key_id_of

    chunk_rows = "r.id BETWEEN %s AND %s"
    _CFG.update(
        {
            "db": db,
            "method": method,
            "columns": columns,
            "extra": extra,
            "exact_crypto": exact_crypto,
            "set_based": set_based,
            "chunk": CHUNK,
            "first_ids": reserve_ids(plans, db) if method == "copy" else [],
            "types": column_types(plans[0].schema, ["id", *columns], db),
            "audit_sql": audit_insert_sql(Member, chunk_rows),
            "key_ids": {p.schema: key_id_of(p.schema) for p in plans},
            "dangling_sql": dangling_sql(Member, chunk_rows),
        }
    )
    connections.close_all()  # never share the parent's connection with forked workers
    tasks = [(i, c) for i, plan in enumerate(plans) for c in range(plan.chunks)]
    done, leaders, index_ticks = 0, {i: [] for i in range(len(plans))}, 0
    total = sum(p.members for p in plans)
    waited = wait_quiet([os.getpid()], 0.25, quiet_wait) if quiet_wait > 0 else 0.0
    if waited > 1.5 and progress:
        print(f"  (waited {waited:.0f} s for other processes to quieten)")
    busy0, self0 = _machine_busy(), _own_ticks()
    t0 = time.perf_counter()
    deferred = (
        drop_plain_indexes([p.schema for p in plans], db)
        if defer_indexes and method == "copy"
        else []
    )
    if workers <= 1:
        results = map(load_chunk, tasks)
        pool = None
    else:
        pool = multiprocessing.get_context("fork").Pool(workers)
        results = pool.imap_unordered(load_chunk, tasks)
    try:
        for res in results:
            done += res["members"]
            leaders[res["county"]].extend(res["leaders"])
            if progress:
                rate = done / (time.perf_counter() - t0)
                print(
                    f"\r  members {done:>9,d} / {total:,d}  {rate:8,.0f} members/s",
                    end="",
                    flush=True,
                )
        # Our database backends' CPU, read while they still exist (they end with the workers).
        backend_ticks = sum(_proc_cpu(pid) for pid in _pg_backends("generator"))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        if deferred:  # also after a failed load: the schemas keep every index
            b0 = time.perf_counter()
            index_ticks = build_indexes(deferred, db, workers)
            _CPU["index_build_s"] = time.perf_counter() - b0
    seconds = time.perf_counter() - t0
    generator_ticks = _own_ticks() - self0
    backend_ticks += index_ticks
    ours = generator_ticks + backend_ticks
    _CPU.update(
        generator_us=generator_ticks / CLK_TCK * 1e6 / max(1, total),
        backend_us=backend_ticks / CLK_TCK * 1e6 / max(1, total),
    )
    other = max(0.0, (_machine_busy() - busy0 - ours) / CLK_TCK / seconds)
    if progress:
        print(f"  (other processes used {other:.2f} cores meanwhile)")
    return seconds, leaders, other


def _own_ticks() -> float:
    t = os.times()  # this process and its finished children (the workers, after join)
    return (t.user + t.system + t.children_user + t.children_system) * CLK_TCK


def create_posts(plan, leaders: list) -> int:  # type: ignore[no-untyped-def]
    from django.db import transaction
    from django_tenants.utils import schema_context

    from tenants.access.models import Post
    from tenants.members.models import Member

    with schema_context(plan.schema), transaction.atomic(), audit_context():
        wanted = [i for i, _ in leaders]
        ids: dict[str, int] = {}
        for start in range(0, len(wanted), 5000):
            ids.update(
                Member.objects.filter(id_number_index__in=wanted[start : start + 5000]).values_list(
                    "id_number_index", "id"
                )
            )
        posts = [
            Post(org_id=org, member_id=ids[idx], post_code=code, started_at=since)
            for idx, held in leaders
            for org, code, since in held
        ]
        Post.objects.bulk_create(posts, batch_size=5000)
    return len(posts)


def vacuum(schemas: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in schemas:
            for table in ("members_member", "members_memberevent", "orgs_organization",
                          "access_post"):  # fmt: skip
                cursor.execute(f'VACUUM (ANALYZE) "{schema}"."{table}"')


# ------------------------------------------------------------------------------
# Checks and distributions
# ------------------------------------------------------------------------------
def check_members(counties: list[dict[str, Any]], n: int, seed: int) -> dict[str, Any]:
    """Re-validate ``n`` random members with the application's validate_member and
    recompute their derived columns; check every tree with treebeard's find_problems."""
    from django_tenants.utils import schema_context

    from tenants.members.models import Member
    from tenants.members.services import name_keys
    from tenants.members.validation import MemberData, validate_member
    from tenants.orgs.models import Organization
    from zhdj.pii.fields import index_for

    rng = random.Random(f"{seed}:check")
    failures: list[str] = []
    checked = 0
    tree_problems = 0
    for k, county in enumerate(counties):
        with schema_context(county["schema"]):
            problems = Organization.objects.find_problems()
            tree_problems += sum(len(p) for p in problems)
            if any(problems):
                failures.append(f"{county['schema']}: tree problems {problems}")
            unaudited = _unaudited(county["schema"])
            if unaudited:
                failures.append(f"{county['schema']}: {unaudited} members without an audit row")
            ids = list(Member.objects.values_list("id", flat=True))
            share = n // len(counties) + (1 if k < n % len(counties) else 0)
            sample = rng.sample(ids, min(share, len(ids)))
            for m in Member.objects.filter(pk__in=sample).select_related("org"):
                data = MemberData(**{f: getattr(m, f) for f in MemberData.field_names()})
                errors = validate_member(data)
                if errors:
                    failures.append(f"{county['schema']} member {m.pk}: {errors}")
                if (m.name_pinyin, m.name_initials) != name_keys(m.name):
                    failures.append(f"{county['schema']} member {m.pk}: name keys differ")
                if m.id_number_index != index_for("id_number", m.id_number):
                    failures.append(f"{county['schema']} member {m.pk}: id_number_index differs")
                if m.phone_index != index_for("phone", m.phone):
                    failures.append(f"{county['schema']} member {m.pk}: phone_index differs")
                if m.full_member_at and m.full_member_at != add_years(m.joined_at, 1):
                    failures.append(f"{county['schema']} member {m.pk}: full ≠ joined + 1 year")
                checked += 1
    return {"checked": checked, "failures": failures, "tree_problems": tree_problems}


def _unaudited(schema: str) -> int:
    """Members whose insert is not in the audit trail exactly once (the loader writes the
    audit rows per chunk: every member must have one ``insert`` event)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".members_member m WHERE (SELECT count(*) FROM '
            f'"{schema}".members_memberevent e WHERE e.pgh_obj_id = m.id '
            "AND e.pgh_label = 'insert' AND e.pgh_context_id IS NOT NULL) <> 1"
        )
        return cursor.fetchone()[0]


def distributions(counties: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """Shares over the whole city, in SQL (the dimensions of 党内统计, domain-rules §7)."""
    from django.db import connection

    base = Path(ROOT / "shared" / "standards" / "data" / "codes")
    college = [
        r["code"]
        for r in json.loads((base / "education.json").read_text())["rows"]
        if r.get("extra", {}).get("college_or_above")
    ]
    minority = [
        r["code"]
        for r in json.loads((base / "ethnicity.json").read_text())["rows"]
        if r.get("extra", {}).get("minority")
    ]
    union = " UNION ALL ".join(
        f"SELECT sex, ethnicity_code, education_code, category_code, occupation_code, flowing, "
        f'birth_date, joined_at FROM "{c["schema"]}".members_member'
        for c in counties
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH m AS ({union})
            SELECT count(*),
                   avg((sex = 'female')::int),
                   avg((ethnicity_code = ANY(%s))::int),
                   avg((education_code = ANY(%s))::int),
                   avg((category_code = 'probationary')::int),
                   avg(flowing::int),
                   avg(date_part('year', age(%s, birth_date))),
                   min(date_part('year', age(%s, birth_date))),
                   max(date_part('year', age(%s, birth_date))),
                   avg((date_part('year', age(%s, birth_date)) BETWEEN 40 AND 70)::int)
            FROM m
            """,
            [minority, college, today, today, today, today],
        )
        (total, women, minor, coll, prob, flowing, mean_age, min_age, max_age, age40_70) = (
            cursor.fetchone()
        )
        cursor.execute(f"WITH m AS ({union}) SELECT occupation_code, count(*) FROM m GROUP BY 1")
        occupations = dict(cursor.fetchall())
        cursor.execute(
            f"WITH m AS ({union}) SELECT education_code, count(*) FROM m GROUP BY 1 ORDER BY 2 DESC"
        )
        education = dict(cursor.fetchall())
    return {
        "members": total,
        "women": float(women),
        "minorities": float(minor),
        "college_or_above": float(coll),
        "probationary": float(prob),
        "flowing": float(flowing),
        "mean_age": float(mean_age),
        "min_age": int(min_age),
        "max_age": int(max_age),
        "age_40_70": float(age40_70),
        "occupations": {k: v / total for k, v in occupations.items()},
        "education_top": {k: v / total for k, v in list(education.items())[:8]},
    }


def fingerprint(counties: list[dict[str, Any]]) -> str:
    """A digest of the plain generated values (not the random ciphertexts): equal seeds give
    equal fingerprints, whatever the number of worker processes."""
    from django.db import connection

    parts = []
    with connection.cursor() as cursor:
        for c in counties:
            cursor.execute(
                f"""SELECT md5(string_agg(concat_ws('|', o.path, m.name, m.id_number_index,
                        m.sex, m.ethnicity_code, m.birth_date, m.education_code,
                        m.category_code, m.joined_at, m.full_member_at, m.occupation_code,
                        m.phone_index, m.flowing), ',' ORDER BY m.id_number_index))
                    FROM "{c["schema"]}".members_member m
                    JOIN "{c["schema"]}".orgs_organization o ON o.id = m.org_id"""
            )
            parts.append(cursor.fetchone()[0] or "")
    return hashlib.md5("".join(parts).encode()).hexdigest()[:16]


def org_counts(counties: list[dict[str, Any]]) -> dict[str, int]:
    from django.db import connection

    counts: Counter[str] = Counter()
    with connection.cursor() as cursor:
        for c in counties:
            cursor.execute(
                f'SELECT type_code, count(*) FROM "{c["schema"]}".orgs_organization GROUP BY 1'
            )
            counts.update(dict(cursor.fetchall()))
    return dict(counts)


# ------------------------------------------------------------------------------
# The whole city (also used by bench/members.py)
# ------------------------------------------------------------------------------
def build_city(
    *,
    db: str,
    counties: int,
    members: int,
    seed: int,
    workers: int,
    method: str = "copy",
    exact_crypto: bool = False,
    set_based: bool = True,
    defer_indexes: bool = True,
    extras: bool = False,
    dues_months: int = 3,
    today: date | None = None,
    empty_counties: int = 0,
    progress: bool = True,
    quiet_wait: float = 20.0,
) -> dict[str, Any]:
    """Recreate ``db`` and fill it; returns what was made (timings included).
    ``empty_counties`` more counties get the same kind of tree but no members (bench/members.py
    imports into one)."""
    started = time.perf_counter()
    setup_django(db)
    from django.core.management import call_command
    from django.utils import timezone

    from bench.city.people import CHUNK, SEQUENCES_PER_SEX, NamePool
    from shared.customers.services import template_ensure

    if counties + empty_counties > MAX_COUNTIES:
        raise SystemExit(f"at most {MAX_COUNTIES} counties")
    if -(-members // CHUNK) > SEQUENCES_PER_SEX:
        raise SystemExit("too many members per county for unique ID numbers")
    today = today or timezone.localdate()
    timings: dict[str, float] = {}

    t = time.perf_counter()
    recreate_database(db)
    clear_cache()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_ensure()
    timings["database_s"] = time.perf_counter() - t
    if progress:
        print(f"  database {db}: public and template schemas in {timings['database_s']:.1f} s")

    t = time.perf_counter()
    made = onboard(county_codes(counties + empty_counties))
    timings["onboard_s"] = time.perf_counter() - t
    if progress:
        print(f"  {len(made)} counties onboarded in {timings['onboard_s']:.1f} s")

    t = time.perf_counter()
    plans, trees = [], []
    for county in made[:counties]:
        plan, tree = load_tree(county, members, seed, today)
        county["organizations"] = len(tree.organizations()) + 1
        county["members"] = members if county["index"] < counties else 0
        county["towns"] = sorted(
            [(spec.pk, spec.name, sum(b.size for b in spec.walk() if b.type_code == "branch"))
             for spec in tree.root.children
             if spec.type_code == "base_committee" and spec.unit_situation_code == "1"],
            key=lambda x: -x[2],
        )  # fmt: skip
        county["branches"] = [(s.pk, s.name) for s in tree.branches]
        plans.append(plan)
        trees.append(tree)
    timings["organizations_s"] = time.perf_counter() - t
    if progress:
        for county in made[counties:]:  # no tree yet: bench/members.py imports into them
            county["organizations"], county["members"] = 1, 0
        n_orgs = sum(c["organizations"] for c in made)
        print(f"  {n_orgs:,d} organizations loaded in {timings['organizations_s']:.1f} s")

    t = time.perf_counter()
    total = members * counties
    set_names(NamePool.build(seed, per_pool=max(1500, min(12_000, total // 6))))
    timings["names_s"] = time.perf_counter() - t

    _PLANS[:] = plans
    seconds, leaders, other = load_members(
        _PLANS,
        workers,
        method,
        db,
        exact_crypto=exact_crypto,
        set_based=set_based,
        defer_indexes=defer_indexes,
        progress=progress,
        quiet_wait=quiet_wait,
    )
    timings["members_s"] = seconds
    timings["members_index_build_s"] = round(_CPU.get("index_build_s", 0.0), 2)
    timings["members_other_cpu_cores"] = round(other, 2)
    # CPU per member row: the generator processes (drawing, encrypting, COPY client side)
    # and their PostgreSQL backends (heap, indexes, audit rows, checks).
    timings["cpu_us_per_member_generator"] = round(_CPU.get("generator_us", 0.0), 1)
    timings["cpu_us_per_member_backend"] = round(_CPU.get("backend_us", 0.0), 1)

    t = time.perf_counter()
    posts = sum(create_posts(plan, leaders[i]) for i, plan in enumerate(_PLANS))
    timings["posts_s"] = time.perf_counter() - t

    made_extras: dict[str, Any] = {}
    if extras:
        from bench.city.extras import generate_extras

        t = time.perf_counter()
        with_members = [c for c in made if c["members"]]
        made_extras = generate_extras(with_members, seed, today, dues_months=dues_months)
        timings["extras_s"] = time.perf_counter() - t
        if progress:
            print(
                f"  {made_extras['developments']:,d} developments, {made_extras['dues_bills']:,d} "
                f"dues bills, {made_extras['transfers']:,d} transfers in "
                f"{timings['extras_s']:.1f} s"
            )

    t = time.perf_counter()
    vacuum([c["schema"] for c in made])
    timings["vacuum_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    return {
        "db": db,
        "seed": seed,
        "today": today.isoformat(),
        "counties": made,
        "members": total,
        "members_per_county": members,
        "organizations": sum(c["organizations"] for c in made),
        "posts": posts,
        "workers": workers,
        "method": method,
        "exact_crypto": exact_crypto,
        "set_based": set_based,
        "defer_indexes": defer_indexes,
        "extras": made_extras,
        "timings": timings,
        "members_per_s": total / seconds if seconds else 0.0,
    }


def save_city(city: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"city-{city['db']}.json"
    path.write_text(json.dumps(city, ensure_ascii=False, indent=1, default=str))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--counties", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000, help="members per county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="zhdj_bench_city", help="bench database (zhdj_bench_*)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--method", choices=("copy", "orm"), default="copy")
    parser.add_argument(
        "--exact-crypto",
        action="store_true",
        help="call zhdj.pii.crypto.encrypt and index_for for every value (slower)",
    )
    parser.add_argument(
        "--no-extras",
        action="store_true",
        help="members only: no developments, dues history or pending transfers",
    )
    parser.add_argument(
        "--dues-months", type=int, default=3, help="months of dues bills (before today)"
    )
    parser.add_argument(
        "--row-triggers",
        action="store_true",
        help="let the audit trigger and the foreign-key checks run row by row during COPY "
        "(slower; the default does both once per 5,000-row chunk)",
    )
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="keep every index of the member and audit tables during the load (slower; the "
        "default builds the plain ones after it, as pg_restore does)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20,
        help="seconds to wait at most for other processes to quieten before loading members",
    )
    parser.add_argument("--check", type=int, default=0, metavar="N", help="re-validate N members")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="reference date")
    args = parser.parse_args()
    check_db_name(args.db)
    if not 1 <= args.counties <= MAX_COUNTIES:
        raise SystemExit(f"--counties must be 1..{MAX_COUNTIES}")
    total = args.counties * args.members
    if not 1_000 <= total <= 1_000_000 or args.members < 100:
        raise SystemExit("the city has 1,000 to 1,000,000 members (at least 100 per county)")
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"building {args.counties} counties x {args.members:,d} members (seed {args.seed}) "
        f"in {args.db}, {args.workers} worker(s), {args.method} ..."
    )
    city = build_city(
        db=args.db,
        counties=args.counties,
        members=args.members,
        seed=args.seed,
        workers=args.workers,
        method=args.method,
        exact_crypto=args.exact_crypto,
        set_based=not args.row_triggers,
        defer_indexes=not args.keep_indexes,
        extras=not args.no_extras,
        dues_months=args.dues_months,
        today=args.today,
        quiet_wait=args.quiet_wait,
    )
    dist = distributions(city["counties"], date.fromisoformat(city["today"]))
    city["distributions"] = dist
    city["org_types"] = org_counts(city["counties"])
    city["fingerprint"] = fingerprint(city["counties"])
    if args.check:
        city["check"] = check_members(city["counties"], args.check, args.seed)
    save_city(city)
    report(city, args, loadavg)
    if args.check and city["check"]["failures"]:
        raise SystemExit(1)


def report(city: dict[str, Any], args: argparse.Namespace, loadavg: list[str]) -> None:
    info = machine()
    info["loadavg_at_start"] = loadavg
    info["loadavg_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    t = city["timings"]
    d = city["distributions"]
    print()
    print(
        machine_line(info) + "; load average "
        f"{' '.join(loadavg)} at start, {' '.join(info['loadavg_at_end'])} at end"
    )
    print()
    print("| counties | organizations | members | posts | seconds (members) | members/s |")
    print("|---------:|--------------:|--------:|------:|------------------:|----------:|")
    print(
        f"| {len([c for c in city['counties'] if c['members']]):8d} | "
        f"{city['organizations']:13,d} | {city['members']:7,d} | {city['posts']:5,d} | "
        f"{t['members_s']:17.1f} | {city['members_per_s']:9,.0f} |"
    )
    print(
        f"members: {city['workers']} worker process(es), {city['method']}"
        + (
            f" (of which {t['members_index_build_s']:.1f} s building the plain indexes after "
            "the rows)"
            if t.get("members_index_build_s")
            else ""
        )
        + f", CPU per member {t['cpu_us_per_member_generator']:.0f} µs generator + "
        f"{t['cpu_us_per_member_backend']:.0f} µs PostgreSQL; other processes "
        f"used {t['members_other_cpu_cores']:.2f} of {info['nproc']} cores meanwhile; other steps: "
        f"database {t['database_s']:.1f} s, onboarding {t['onboard_s']:.1f} s, "
        f"organizations {t['organizations_s']:.1f} s, name pool {t['names_s']:.1f} s, "
        f"posts {t['posts_s']:.1f} s, VACUUM ANALYZE {t['vacuum_s']:.1f} s; "
        f"total {t['total_s']:.1f} s"
    )
    print(f"data fingerprint (seed {city['seed']}, today {city['today']}): {city['fingerprint']}")
    types = ", ".join(f"{k} {v:,d}" for k, v in sorted(city["org_types"].items()))
    print(f"organizations by type: {types}")
    print(
        f"members: women {d['women']:.1%}, minorities {d['minorities']:.1%}, college or above "
        f"{d['college_or_above']:.1%}, probationary {d['probationary']:.1%}, flowing "
        f"{d['flowing']:.1%}; age {d['min_age']}–{d['max_age']} (mean {d['mean_age']:.1f}, "
        f"40–70: {d['age_40_70']:.1%})"
    )
    occ = ", ".join(
        f"{k} {v:.0%}" for k, v in sorted(d["occupations"].items(), key=lambda x: -x[1])
    )
    print(f"occupations: {occ}")
    x = city.get("extras") or {}
    if x:
        print(
            f"extras ({x['total_s']:.1f} s): {x['developments']:,d} developments "
            f"({x['developments_s']:.1f} s), {x['dues_bills']:,d} dues bills "
            f"({x['dues_s']:.1f} s), {x['transfers']:,d} pending transfers "
            f"({x['transfers_s']:.1f} s)"
        )
    if "check" in city:
        c = city["check"]
        print(
            f"check: {c['checked']} members re-validated with validate_member, derived columns "
            f"recomputed; tree problems: {c['tree_problems']}; failures: {len(c['failures'])}"
        )
        for f in c["failures"][:20]:
            print(f"  {f}")
    RESULTS.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv),
                "machine": info,
                "code": code_version(("tenants/members/models.py", "tenants/orgs/models.py")),
                **{k: v for k, v in city.items() if k not in ("counties",)},
                "counties": [
                    {k: v for k, v in c.items() if k not in ("branches", "admin_password")}
                    for c in city["counties"]
                ],
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )
    print(f"results in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()


__all__ = ["asdict", "build_city", "save_city", "setup_django"]
