"""``migrate_schemas --executor pending``: migrate only the schemas that need it.

django-tenants' executors run Django's whole ``migrate`` command in every tenant schema,
even when there is nothing to do: a new database connection, the migration graph, the
project state, the post-migrate signal — about 0.1 s a schema on these machines, and more
as the catalog grows (docs/performance.md). A release without tenant migrations, or a
re-run after a failure, paid that for every county.

This executor first reads each schema's ``django_migrations`` (one small query per
schema on one connection) and compares it with the migration graph; schemas that have
every migration are skipped. The others are migrated in worker processes (forked, as
django-tenants' multiprocessing executor does), each keeping ONE Django
``MigrationExecutor`` for all its schemas: the graph is loaded once, and the project state
before the migrations — the same for every schema at the same point, and the expensive
part (every model rendered) — is computed once per distinct set of applied migrations and
cloned for each schema. Each schema then runs what ``migrate`` runs: the plan, the
operations, the records, and — when the plan creates, deletes or renames a model, the only
case where it has work — the post-migrate signal (content types and permissions in that
schema), with the final model state rendered once.

**One transaction per schema** (issue 18 item 4): a schema's whole plan — operations,
``django_migrations`` records, post-migrate — commits or rolls back as one. Django's own
executor commits a migration's operations and, when the migration has deferred SQL (an
index, a foreign key), records it only afterwards in a second statement: a run killed in
between left a schema migrated but unrecorded, and the re-run failed with "already exists".
Here a killed run leaves every schema either fully migrated and recorded or untouched, and
the re-run (the same command) picks up the schemas still behind
(tests/zhdj/test_migrate_kill.py). A plan with a migration declared ``atomic = False`` (none
in the project today) cannot run inside a transaction: such a schema's plan runs as Django
runs it, one migration at a time.

With arguments (an app label or a target migration) it defers to django-tenants'
multiprocessing executor unchanged: a target can mean migrating backwards.
"""

from __future__ import annotations

import multiprocessing
import random
import time

from django.apps import apps as global_apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import InternalError, connections, transaction
from django.db.migrations.executor import MigrationExecutor as DjangoExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import (
    AlterModelOptions,
    CreateModel,
    DeleteModel,
    RenameModel,
)
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState
from django_tenants.migration_executors.base import MigrationExecutor
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
from django_tenants.utils import get_tenant_model

# Parallel workers migrating different schemas can still collide on the few objects kept
# in public (pgtrigger's helper function): PostgreSQL answers this, and a retry succeeds.
CONCURRENT = "tuple concurrently updated"
RETRIES = 5


def expected_migrations(connection) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every migration a fully migrated schema has recorded (Django records the migrations
    of apps the router keeps out of a schema too), squashed ones by their replacements."""
    loader = MigrationLoader(connection, ignore_no_migrations=True, replace_migrations=False)
    return set(loader.graph.nodes)


def schemas_behind(schemas: list[str], alias: str) -> list[str]:
    """The schemas in ``schemas`` that miss at least one migration, in the same order.

    One small query a schema, compared in Python. Comparing in PostgreSQL instead (a UNION
    ALL of one branch a schema, 500 a statement; or a PL/pgSQL loop) was 2–3× slower at
    1,000 schemas (0.4–0.7 s against 0.2 s): the scans are trivial, and what a fresh
    process pays is its backend opening each schema's table for the first time, the same
    either way (docs/performance.md, migrations at national size)."""
    connection = connections[alias]
    connection.set_schema_to_public()
    expected = expected_migrations(connection)
    behind = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r'"
        )
        recorded = {row[0] for row in cursor.fetchall()}
        for schema in schemas:
            if schema not in recorded:
                behind.append(schema)
                continue
            quoted = connection.ops.quote_name(schema)
            cursor.execute(f"SELECT app, name FROM {quoted}.django_migrations")  # noqa: S608
            if not expected <= set(cursor.fetchall()):
                behind.append(schema)
    return behind


def offboarded(schemas: list[str]) -> set[str]:
    """The schemas of offboarded counties (注销): their rows stay, their schemas are gone."""
    model = get_tenant_model()
    status = getattr(getattr(model, "Status", None), "OFFBOARDED", None)
    if status is None:
        return set()
    rows = model.objects.filter(schema_name__in=schemas, status=status)
    return set(rows.values_list("schema_name", flat=True))


# MigrationExecutor listed again: django-tenants finds executors among its direct subclasses.
class PendingOnlyExecutor(MultiprocessingExecutor, MigrationExecutor):
    codename = "pending"

    def run_migrations(self, tenants=None):  # type: ignore[no-untyped-def]
        tenants = list(tenants or [])
        if self.args or self.PUBLIC_SCHEMA_NAME in tenants:
            return super().run_migrations(tenants=tenants)
        gone = offboarded(tenants)
        tenants = [schema for schema in tenants if schema not in gone]
        behind = schemas_behind(tenants, self.TENANT_DB_ALIAS)
        if int(self.options.get("verbosity", 1)) >= 1:
            self.logger_message(
                f"{len(tenants) - len(behind)} of {len(tenants)} schemas up to date; "
                f"migrating {len(behind)}"
            )
        if not behind:
            return None
        connections[self.TENANT_DB_ALIAS].close()
        processes = min(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2), len(behind))
        chunks = [behind[i::processes] for i in range(processes)]
        if processes == 1:
            migrate_schemas_in_process(chunks[0], self.TENANT_DB_ALIAS)
            return None
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=processes) as pool:
            pool.starmap(migrate_schemas_in_process, [(c, self.TENANT_DB_ALIAS) for c in chunks])
        return None

    def logger_message(self, message: str) -> None:
        import sys

        sys.stdout.write(f"[{self.codename}] {message}\n")


def migrate_schemas_in_process(schemas: list[str], alias: str, *, reconnect: bool = True) -> int:
    """Bring each schema to the graph's leaves, as ``migrate`` would; returns how many
    migrations were applied. ``reconnect``: start and end on a fresh connection (in a forked
    worker, never use the parent's)."""
    connection = connections[alias]
    if reconnect:
        connection.close()
    connection.set_schema_to_public()
    executor = DjangoExecutor(connection)
    executor.recorder = SchemaRecorder(connection)
    targets = executor.loader.graph.leaf_nodes()
    states: dict[frozenset, object] = {}
    finals: dict[frozenset, object] = {}
    applied_total = 0
    for schema in schemas:
        connection.set_schema(schema, include_public=False)
        recorder = SchemaRecorder(connection)
        recorder.ensure_schema()
        connection.set_schema(schema)
        for attempt in range(1, RETRIES + 1):
            try:
                applied_total += _migrate_one(executor, recorder, targets, states, finals, alias)
                break
            except InternalError as exc:
                # Two processes replaced the same function in public at once (pgtrigger
                # keeps _pgtrigger_should_ignore there): the schema's transaction rolled
                # back whole; read what it has recorded and run its plan again.
                if CONCURRENT not in str(exc) or attempt == RETRIES:
                    raise
                time.sleep(random.uniform(0.05, 0.3) * attempt)  # noqa: S311
    connection.set_schema_to_public()
    if reconnect:
        connection.close()
    return applied_total


def _migrate_one(executor, recorder, targets, states, finals, alias) -> int:  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Bring the schema the connection is set to up to ``targets``, in one transaction
    unless a migration of the plan is declared non-atomic; how many applied."""
    applied = recorder.applied_migrations()
    executor.loader.applied_migrations = applied
    plan = executor.migration_plan(targets)
    if not plan:
        return 0
    if not all(migration.atomic for migration, _backwards in plan):
        return _apply_plan(executor, applied, plan, targets, states, finals, alias)
    with transaction.atomic(using=alias):
        if _touches_public(plan):
            # Every schema's copy of the plan replaces the same function in public; two
            # transactions doing so at once fail ("tuple concurrently updated"). Taken here,
            # the lock makes them wait their turn instead of failing and starting over.
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLIC_FUNCTIONS_LOCK])
        return _apply_plan(executor, applied, plan, targets, states, finals, alias)


def _apply_plan(executor, applied, plan, targets, states, finals, alias) -> int:  # type: ignore[no-untyped-def]  # noqa: PLR0917
    key = frozenset(applied)
    if key not in states:
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018  (render once; clones copy the rendered apps)
        states[key] = state
    pre_state = states[key].clone()
    emit_pre_migrate_signal(0, False, alias, apps=pre_state.apps, plan=plan)
    post_state = executor.migrate(targets, plan=plan, state=pre_state)
    if _changes_models(plan) or getattr(settings, "PGTRIGGER_INSTALL_ON_MIGRATE", False):
        done = key | {(m.app_label, m.name) for m, _ in plan}
        if done not in finals:
            finals[done] = _final_apps(post_state)
        emit_post_migrate_signal(0, False, alias, apps=finals[done], plan=plan)
    return len(plan)


# pg_advisory_xact_lock key of the functions pgtrigger keeps in public (any fixed bigint).
PUBLIC_FUNCTIONS_LOCK = 0x7A68646A_7067  # "zhdj" "pg"


def _touches_public(plan: list) -> bool:
    """Whether the plan installs triggers: pgtrigger's operations (pghistory's too) replace
    ``public._pgtrigger_should_ignore`` each time."""
    return any(
        type(operation).__module__.startswith("pgtrigger.")
        for migration, _backwards in plan
        for operation in migration.operations
    )


class SchemaRecorder(MigrationRecorder):
    """Django's recorder, asking PostgreSQL for its one table by name on the search path
    (``to_regclass``) instead of listing every table: Django's ``table_names()`` runs
    ``pg_table_is_visible`` over every relation of the database, whose number grows with the
    number of schemas — ~0.3 ms against 150–700 ms a schema with 1,000 county schemas, paid
    for every schema the executor migrates (docs/performance.md §0d)."""

    def has_table(self) -> bool:
        if self._has_table:
            return True
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.Migration._meta.db_table])
            self._has_table = bool(cursor.fetchone()[0])
        return self._has_table


# What content types and permissions (the post_migrate handlers' work) depend on.
MODEL_SET_OPERATIONS = (CreateModel, DeleteModel, RenameModel, AlterModelOptions)


def _changes_models(plan: list) -> bool:
    """Whether the plan creates, deletes, renames or re-optionses a model. When it does not,
    Django's post_migrate handlers (content types, permissions; pgtrigger/pghistory install
    only with PGTRIGGER_INSTALL_ON_MIGRATE) have nothing to do in the schema, and running
    them costs ~70 queries a schema."""
    return any(
        isinstance(operation, MODEL_SET_OPERATIONS)
        for migration, _backwards in plan
        for operation in migration.operations
    )


def _final_apps(state):  # type: ignore[no-untyped-def]
    """The post-migrate apps with real apps' models re-rendered with their relations, as
    Django's ``migrate`` command hands them to the post_migrate handlers."""
    state.clear_delayed_apps_cache()
    final = state.apps
    with final.bulk_update():
        keys = []
        for model_state in final.real_models:
            key = model_state.app_label, model_state.name_lower
            keys.append(key)
            final.unregister_model(*key)
    final.render_multiple([ModelState.from_model(global_apps.get_model(*key)) for key in keys])
    return final
