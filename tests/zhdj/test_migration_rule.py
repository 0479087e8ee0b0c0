"""The zero-downtime rule for migrations (docs/deployment.md, migrations): during a rolling
release the old code runs against the new schema, so a migration only adds — columns that
are nullable or carry a database default, tables, indexes — and what the old code still
uses is removed or renamed in a later release, after the code that used it is gone.

Checked on the SQL each migration really runs (``sqlmigrate``): a statement that drops or
renames a column or table, changes a column's type, makes a column NOT NULL, or adds a NOT
NULL column whose default Django drops again at once (old code inserting rows would fail)
is refused, unless it only touches a table the same migration creates. Migrations shipped
before the rule are listed in ``SHIPPED``; a new exception goes into ``LATER_RELEASE`` with
the release in which the code stopped using what it removes.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

# Shipped before the rule was written down; each one ran on every county already.
SHIPPED = {
    ("accounts", "0003_password_lifecycle"),
    ("accounts", "0004_user_manages_accounts"),
    ("customers", "0002_tenant_key_id"),
    ("development", "0002_blind_index_collation"),
    ("dues", "0003_encrypted_hardship"),
    ("imports", "0002_written_members"),
    ("imports", "0003_deliveries"),
    ("members", "0006_blind_index_collation"),
    ("members", "0007_posts_moved_to_access"),
    ("members", "0008_encrypted_landline_hardship"),
    ("orgs", "0002_organization_fields_and_history"),
    ("rollups", "0002_tenantrollup_org_digest"),
    ("standards", "0005_organizationtype_holds_members"),
}
# (app, migration) → the release whose code no longer used what the migration removes.
LATER_RELEASE: dict[tuple[str, str], str] = {}

BREAKING = [
    (re.compile(r"\bDROP COLUMN\b"), "drops a column"),
    (re.compile(r"^DROP TABLE\b"), "drops a table"),
    (re.compile(r"\bRENAME COLUMN\b"), "renames a column"),
    (re.compile(r"^ALTER TABLE \S+ RENAME TO\b"), "renames a table"),
    (re.compile(r"\bALTER COLUMN \S+ TYPE\b"), "changes a column's type"),
    (re.compile(r"\bALTER COLUMN \S+ SET NOT NULL\b"), "makes a column NOT NULL"),
    (re.compile(r"\bALTER COLUMN \S+ DROP DEFAULT\b"), "adds NOT NULL without a database default"),
]
CREATE_TABLE = re.compile(r'^CREATE TABLE "?([\w.]+)"?')
TABLE_OF = re.compile(r'^(?:ALTER|DROP) TABLE (?:IF EXISTS )?"?([\w.]+)"?')


def _ours() -> list[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        key
        for key, migration in loader.disk_migrations.items()
        if migration.__module__.startswith(("shared.", "tenants."))
    )


def _sql(app: str, name: str) -> str:
    """The SQL of one migration; a county app's with a county schema active (the tenant
    router lets its operations run only there)."""
    from django.apps import apps
    from django.conf import settings
    from django_tenants.utils import schema_context

    module = apps.get_app_config(app).name
    schema = "alpha" if module in settings.TENANT_APPS else "public"
    out = io.StringIO()
    with schema_context(schema):
        call_command("sqlmigrate", app, name, stdout=out)
    return out.getvalue()


def breaking_statements(app: str, name: str) -> list[str]:
    sql = _sql(app, name)
    created: set[str] = set()
    found = []
    for raw in sql.split(";\n"):
        statement = re.sub(r"^(--.*\n)+", "", raw.strip()).strip()
        if m := CREATE_TABLE.match(statement):
            created.add(m.group(1))
            continue
        table = TABLE_OF.match(statement)
        if table and table.group(1) in created:
            continue  # a table this migration creates: nobody uses it yet
        for pattern, what in BREAKING:
            if pattern.search(statement):
                found.append(f"{what}: {statement[:160]}")
    return found


def test_new_migrations_only_add():
    refused = {}
    for app, name in _ours():
        if (app, name) in SHIPPED or (app, name) in LATER_RELEASE:
            continue
        found = breaking_statements(app, name)
        if found:
            refused[f"{app}.{name}"] = found
    assert not refused, (
        "a migration that the code of the previous release cannot run against "
        f"(docs/deployment.md, migrations): {refused}"
    )


def test_the_check_sees_a_removal():
    """The rule's own test: members 0007 removed the old post tables (shipped earlier)."""
    found = breaking_statements("members", "0007_posts_moved_to_access")
    assert any(f.startswith(("drops a column", "drops a table")) for f in found), found
