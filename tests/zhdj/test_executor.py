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


def test_a_new_schema_is_migrated_like_migrate_does(db, alpha):  # type: ignore[no-untyped-def]
    from django.db.migrations.loader import MigrationLoader

    from zhdj.tenancy.executor import migrate_schemas_in_process

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA bench_fresh")
    applied = migrate_schemas_in_process(["bench_fresh"], "default", reconnect=False)
    assert applied == len(MigrationLoader(connection).graph.nodes)
    assert schemas_behind(["bench_fresh"], "default") == []
    with connection.cursor() as cursor:
        tables = {}
        for schema in (alpha.schema, "bench_fresh"):
            cursor.execute(
                "SELECT table_name, count(*) FROM information_schema.columns "
                "WHERE table_schema = %s GROUP BY table_name",
                [schema],
            )
            tables[schema] = dict(cursor.fetchall())
        # the same tables with the same columns as a schema made by the onboarding service
        assert tables["bench_fresh"] == tables[alpha.schema]
        # (index names may differ: the onboarding service clones a schema, which names
        # some constraints its own way; their number per table may not)
        for catalog in (
            "SELECT tablename || ':' || count(*) FROM pg_indexes WHERE schemaname = %s "
            "GROUP BY tablename",
            "SELECT c.relname || ':' || t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND NOT t.tgisinternal",
        ):
            names = []
            for schema in (alpha.schema, "bench_fresh"):
                cursor.execute(catalog, [schema])
                names.append(sorted(row[0] for row in cursor.fetchall()))
            assert names[0] == names[1]
        cursor.execute("SELECT count(*) FROM bench_fresh.django_content_type")
        assert cursor.fetchone()[0] > 0  # post_migrate ran in the schema
    assert migrate_schemas_in_process(["bench_fresh"], "default", reconnect=False) == 0


def test_the_recorder_finds_its_table_on_the_search_path_only(db, alpha):  # type: ignore[no-untyped-def]
    from zhdj.tenancy.executor import SchemaRecorder

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA bench_bare")
    try:
        connection.set_schema(alpha.schema, include_public=False)
        assert SchemaRecorder(connection).has_table()
        # public has django_migrations too: it must not be found from a bare schema.
        connection.set_schema("bench_bare", include_public=False)
        assert not SchemaRecorder(connection).has_table()
    finally:
        connection.set_schema_to_public()
