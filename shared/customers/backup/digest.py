"""Row counts and a checksum per table of one schema.

The checksum is the MD5 of the sorted MD5s of every row's text form: independent of the
physical order of the rows and of the schema's name, so a backup and its restore under
another name compare equal exactly when every row is the same. The same SQL runs at backup
(inside the dump's snapshot) and inside the restore's transaction (``check_sql``), which
rolls everything back on the first difference.
"""

from __future__ import annotations

from typing import Any

TABLES_SQL = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname"
)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def table_digest_sql(schema: str, table: str, *, into: str = "") -> str:
    """The row count and checksum of one table (``into``: PL/pgSQL variables to fill)."""
    target = f" INTO {into}" if into else ""
    # Identifiers quoted from the catalog, never from input.
    rows = "count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
    return f"SELECT {rows}{target} FROM {quote(schema)}.{quote(table)} t"  # noqa: S608


def table_digests(cursor: Any, schema: str) -> dict[str, dict[str, Any]]:
    """``{table: {"rows": n, "md5": hex}}`` for every table of ``schema``, read with
    ``cursor`` (whose transaction decides which snapshot is read)."""
    cursor.execute(TABLES_SQL, [schema])
    tables = [row[0] for row in cursor.fetchall()]
    digests: dict[str, dict[str, Any]] = {}
    for table in tables:
        cursor.execute(table_digest_sql(schema, table))
        rows, checksum = cursor.fetchone()
        digests[table] = {"rows": int(rows), "md5": checksum}
    return digests


def check_sql(schema: str, digests: dict[str, dict[str, Any]]) -> str:
    """SQL that raises (and so rolls the transaction back) unless ``schema`` has exactly
    these tables with these row counts and checksums."""
    names = ", ".join("'" + name.replace("'", "''") + "'" for name in sorted(digests)) or "''"
    literal = "'" + schema.replace("'", "''") + "'"
    parts = [
        "DO $zhdj$ DECLARE extra text; BEGIN",
        "  SELECT string_agg(c.relname, ', ') INTO extra FROM pg_class c",
        "    JOIN pg_namespace n ON n.oid = c.relnamespace",
        f"    WHERE n.nspname = {literal} AND c.relkind IN ('r', 'p')"
        f" AND c.relname NOT IN ({names});",
        "  IF extra IS NOT NULL THEN",
        "    RAISE EXCEPTION 'zhdj-restore-mismatch: unexpected tables %', extra;",
        "  END IF;",
        "END $zhdj$;",
    ]
    for table, expected in sorted(digests.items()):
        checksum = str(expected["md5"])
        if not all(ch in "0123456789abcdef" for ch in checksum):
            raise ValueError(f"malformed checksum for {table}")
        label = "'" + table.replace("'", "''") + "'"
        parts += [
            "DO $zhdj$ DECLARE n bigint; h text; BEGIN",
            f"  {table_digest_sql(schema, table, into='n, h')};",
            f"  IF n <> {int(expected['rows'])} OR h <> '{checksum}' THEN",
            "    RAISE EXCEPTION 'zhdj-restore-mismatch: % has % rows (checksum %)',"
            f" {label}, n, h;",
            "  END IF;",
            "END $zhdj$;",
        ]
    return "\n".join(parts) + "\n"
