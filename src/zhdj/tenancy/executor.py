"""``migrate_schemas --executor pending``: migrate only the schemas that need it.

django-tenants' executors run Django's whole ``migrate`` command in every tenant schema,
even when there is nothing to do: a new database connection, the migration graph, the
project state, the post-migrate signal — about 0.1 s a schema on these machines, and more
as the catalog grows (docs/performance.md). A release without tenant migrations, or a
re-run after a failure, paid that for every county.

This executor first reads each schema's ``django_migrations`` (one small query per
schema on one connection) and compares it with the migration graph; schemas that have
every migration are skipped, the others are migrated by django-tenants' multiprocessing
executor exactly as before. With arguments (an app label or a target migration) it skips
nothing: a target can mean migrating backwards, which only ``migrate`` can judge.
"""

from __future__ import annotations

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors.base import MigrationExecutor
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor


def expected_migrations(connection) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every migration a fully migrated schema has recorded (Django records the migrations
    of apps the router keeps out of a schema too), squashed ones by their replacements."""
    loader = MigrationLoader(connection, ignore_no_migrations=True, replace_migrations=False)
    return set(loader.graph.nodes)


def schemas_behind(schemas: list[str], alias: str) -> list[str]:
    """The schemas in ``schemas`` that miss at least one migration, in the same order."""
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


# MigrationExecutor listed again: django-tenants finds executors among its direct subclasses.
class PendingOnlyExecutor(MultiprocessingExecutor, MigrationExecutor):
    codename = "pending"

    def run_migrations(self, tenants=None):  # type: ignore[no-untyped-def]
        tenants = list(tenants or [])
        if self.args or self.PUBLIC_SCHEMA_NAME in tenants:
            return super().run_migrations(tenants=tenants)
        behind = schemas_behind(tenants, self.TENANT_DB_ALIAS)
        if int(self.options.get("verbosity", 1)) >= 1:
            self.logger_message(
                f"{len(tenants) - len(behind)} of {len(tenants)} schemas up to date; "
                f"migrating {len(behind)}"
            )
        if behind:
            return super().run_migrations(tenants=behind)
        return None

    def logger_message(self, message: str) -> None:
        import sys

        sys.stdout.write(f"[{self.codename}] {message}\n")
