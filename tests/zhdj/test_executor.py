from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from zhdj.tenancy.executor import schemas_behind


def test_fully_migrated_schemas_are_not_behind(db, alpha, beta):  # type: ignore[no-untyped-def]
    assert schemas_behind([alpha.schema, beta.schema], "default") == []


def test_a_missing_migration_or_table_puts_the_schema_behind(db, alpha, beta):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {alpha.schema}.django_migrations "
            "WHERE app = 'members' AND name = '0005_lean_indexes'"
        )
        cursor.execute("CREATE SCHEMA bench_empty")
    assert schemas_behind([beta.schema, alpha.schema, "bench_empty"], "default") == [
        alpha.schema,
        "bench_empty",
    ]


def test_migrate_schemas_with_nothing_to_do_migrates_no_schema(db, alpha, beta, capsys):  # type: ignore[no-untyped-def]
    call_command("migrate_schemas", tenant=True, executor="pending", verbosity=1)
    out = capsys.readouterr().out
    assert "migrating 0" in out and "=== Starting migration" not in out
    connection.set_schema_to_public()
