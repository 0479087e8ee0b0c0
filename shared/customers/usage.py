"""What each county uses, for the ops page 区县管理: the database size of its schema (tables,
indexes and TOAST) and its last activity (the latest login of any of its users), read from
PostgreSQL in two statements for the whole list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from psycopg import sql


@dataclass(frozen=True)
class Usage:
    bytes: int
    last_login: datetime | None

    @property
    def size_label(self) -> str:
        mib = self.bytes / (1024 * 1024)
        return f"{mib / 1024:.1f} GB" if mib >= 1024 else f"{mib:.1f} MB"


def usage(schemas: list[str]) -> dict[str, Usage]:
    """``schema → Usage`` for the schemas that exist (a county still being onboarded has
    none yet and is left out)."""
    if not schemas:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, COALESCE(sum(pg_total_relation_size(c.oid)), 0) "
            "FROM pg_namespace n LEFT JOIN pg_class c "
            "ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm', 'p') "
            "WHERE n.nspname = ANY(%s) GROUP BY n.nspname",
            [schemas],
        )
        sizes = {name: int(size) for name, size in cursor.fetchall()}
        logins: dict[str, datetime | None] = {}
        if sizes:
            query = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT {}, max(last_login) FROM {}.accounts_user").format(
                    sql.Literal(schema), sql.Identifier(schema)
                )
                for schema in sorted(sizes)
            )
            cursor.execute(query)
            logins = dict(cursor.fetchall())
    return {schema: Usage(size, logins.get(schema)) for schema, size in sizes.items()}
