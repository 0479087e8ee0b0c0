"""Load the standards from ``data/*.json`` (idempotent: upsert by code).

Used by data migrations; the JSON files transcribe ../shared/reference/domain-rules.md,
GB/T 2260 (regions), GB/T 4658-2006 (education) and GB/T 3304-1991 (ethnicity).

Code tables live in ``data/codes/<table>.json``: ``{"table", "source", "note", "rows"}``,
each row ``{"code", "name"}`` plus optional ``parent_code``, ``extra``, ``is_active``.
A row's place in the file is its display order (``sort``). Rows are upserted, never
deleted: a code dropped from a file stays in the database (tenant rows may hold it);
withdraw it with ``"is_active": false``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
CODES = DATA / "codes"

ROW_KEYS = frozenset({"code", "name", "parent_code", "extra", "is_active"})
SORT_STEP = 10


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def upsert(model: Any, rows: list[dict[str, Any]], key: str = "code") -> None:
    """Upsert rows by ``key``. Keys the (historical) model lacks are skipped, so a data
    file may carry a column that a later migration adds and seeds again."""
    fields = {f.name for f in model._meta.get_fields()}
    for row in rows:
        values = {k: v for k, v in row.items() if k in fields}
        model.objects.update_or_create(**{key: values.pop(key)}, defaults=values)


def code_tables() -> list[str]:
    """The tables that have a data file, by file name."""
    return sorted(path.stem for path in CODES.glob("*.json"))


def load_codes(table: str, directory: Path = CODES) -> list[dict[str, Any]]:
    """The rows of one code table as ``Code`` field values, checked.

    A broken file stops the migration rather than seeding half a table: unknown keys,
    a duplicate or empty code, a parent that is not in the same table.
    """
    path = directory / f"{table}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("table") != table:
        raise ValueError(f"{path.name}: declares table {document.get('table')!r}, not {table!r}")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(document["rows"], start=1):
        unknown = set(row) - ROW_KEYS
        if unknown:
            raise ValueError(f"{path.name} row {number}: unknown keys {sorted(unknown)}")
        code = row.get("code", "")
        if not code or not row.get("name"):
            raise ValueError(f"{path.name} row {number}: code and name are required")
        if code in seen:
            raise ValueError(f"{path.name} row {number}: duplicate code {code!r}")
        seen.add(code)
        rows.append(
            {
                "table": table,
                "code": code,
                "name": row["name"],
                "parent_code": row.get("parent_code", ""),
                "sort": number * SORT_STEP,
                "extra": row.get("extra", {}),
                "is_active": row.get("is_active", True),
            }
        )
    orphans = sorted(r["code"] for r in rows if r["parent_code"] and r["parent_code"] not in seen)
    if orphans:
        raise ValueError(f"{path.name}: parent_code not in the table for {orphans}")
    return rows


def upsert_codes(model: Any, tables: list[str] | tuple[str, ...]) -> None:
    """Upsert the listed tables into ``model`` (the migration's historical ``Code``).

    Only the fields the historical model has are written, so an old migration still
    runs when a later one adds a column and the JSON files grow with it.
    """
    fields = {field.name for field in model._meta.concrete_fields}
    for table in tables:
        for row in load_codes(table):
            values = {key: value for key, value in row.items() if key in fields}
            model.objects.update_or_create(
                table=values.pop("table"), code=values.pop("code"), defaults=values
            )


RULES = DATA / "rules"
RULE_KEYS = frozenset(
    {"key", "name", "kind", "value", "unit", "min_value", "max_value"}
    | {"overridable", "source", "note"}
)
RULE_KINDS = {"int": int, "decimal": (int, float, str), "bool": bool, "text": str}


def load_rules(domain: str, directory: Path = RULES) -> list[dict[str, Any]]:
    """The rule parameters of one domain (``data/rules/<domain>.json``), checked.

    The file is ``{"domain", "source", "rows": [{"key", "name", "kind", "value", ...}]}``;
    keys start with ``<domain>.``; a default outside its own bounds stops the migration.
    """
    path = directory / f"{domain}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    for number, row in enumerate(document["rows"], start=1):
        where = f"{path.name} row {number}"
        unknown = set(row) - RULE_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not str(row.get("key", "")).startswith(f"{domain}."):
            raise ValueError(f"{where}: key must start with {domain!r}.")
        kind = row.get("kind")
        if kind not in RULE_KINDS or not isinstance(row.get("value"), RULE_KINDS[kind]):
            raise ValueError(f"{where}: value does not match kind {kind!r}")
        low, high = row.get("min_value"), row.get("max_value")
        if kind in ("int", "decimal"):
            value = float(row["value"])
            if (low is not None and value < float(low)) or (
                high is not None and value > float(high)
            ):
                raise ValueError(f"{where}: default outside [{low}, {high}]")
        rows.append(
            {
                "domain": domain,
                "sort": number * SORT_STEP,
                "source": document.get("source", ""),
                "overridable": True,
                "unit": "",
                "note": "",
                **row,
            }
        )
    return rows


def upsert_rules(model: Any, domains: list[str] | tuple[str, ...]) -> None:
    """Upsert the rule parameters of ``domains`` into ``model`` (historical RuleParameter)."""
    fields = {field.name for field in model._meta.concrete_fields}
    for domain in domains:
        for row in load_rules(domain):
            values = {key: value for key, value in row.items() if key in fields}
            model.objects.update_or_create(key=values.pop("key"), defaults=values)


POST_PERMISSIONS = DATA / "post_permissions.json"
PERMISSION_KEYS = frozenset({"code", "name", "note", "needs_password"})


def load_post_permissions(
    path: Path = POST_PERMISSIONS,
) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """The permission catalogue and the default (post, permission) grants, checked: a
    grant naming an unknown permission or post stops the migration."""
    document = json.loads(path.read_text(encoding="utf-8"))
    permissions: list[dict[str, Any]] = []
    for number, row in enumerate(document["permissions"], start=1):
        unknown = set(row) - PERMISSION_KEYS
        if unknown:
            raise ValueError(f"{path.name} permission {number}: unknown keys {sorted(unknown)}")
        permissions.append({"note": "", "needs_password": False, **row, "sort": number * SORT_STEP})
    known = {p["code"] for p in permissions}
    posts = {row["code"] for row in load_codes("post")}
    grants: set[tuple[str, str]] = set()
    for post_code, codes in document["grants"].items():
        if post_code not in posts:
            raise ValueError(f"{path.name}: unknown post {post_code!r}")
        for code in codes:
            if code not in known:
                raise ValueError(f"{path.name}: {post_code} grants unknown {code!r}")
            grants.add((post_code, code))
    return permissions, grants


def upsert_post_permissions(permission_model: Any, grant_model: Any) -> None:
    """Seed the catalogue and make the default grants exactly those of the file."""
    permissions, grants = load_post_permissions()
    for row in permissions:
        values = dict(row)
        permission_model.objects.update_or_create(code=values.pop("code"), defaults=values)
    existing = set(grant_model.objects.values_list("post_code", "permission"))
    for post_code, code in grants - existing:
        grant_model.objects.create(post_code=post_code, permission=code)
    for post_code, code in existing - grants:
        grant_model.objects.filter(post_code=post_code, permission=code).delete()
