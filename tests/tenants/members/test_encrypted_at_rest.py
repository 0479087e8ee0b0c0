"""Landline numbers and hardship records are stored encrypted (issue 17): the raw column
holds a token, the application reads the value, and the migration encrypts what was stored
in clear before."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.db import connection

from tenants.members.models import HardshipRecord, Member
from tenants.members.record_services import record_add, record_form_class
from tenants.members.services import member_create
from tests.tenants.members.conftest import data
from zhdj.pii.crypto import token_version
from zhdj.pii.migration_ops import _rewrite_columns


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def test_a_landline_is_stored_encrypted(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village, landline="0912-3456789"))
    raw = _raw("members_member", "landline", member.pk)
    assert token_version(raw) == 1 and "3456789" not in raw
    assert Member.objects.get(pk=member.pk).landline == "0912-3456789"


def test_a_hardship_record_is_stored_encrypted(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    record = record_add(
        scope=admin_scope,
        member=member,
        slug="hardship",
        data={"kind": "因病致困", "description": "妻子患尿毒症，长期透析", "since": "2024-03-01"},
    )
    for column in ("kind", "description"):
        raw = _raw("members_hardshiprecord", column, record.pk)
        assert token_version(raw) == 1 and "透析" not in raw and "因病" not in raw
    stored = HardshipRecord.objects.get(pk=record.pk)
    assert (stored.kind, stored.description) == ("因病致困", "妻子患尿毒症，长期透析")


def test_hardship_form_keeps_one_line_inputs_and_limits(admin_scope):
    form = record_form_class("hardship")(
        {"kind": "x" * 33, "description": "d", "since": "2024-03-01"}
    )
    assert not form.is_valid() and "kind" in form.errors
    assert 'type="text"' in str(form["kind"]) and "textarea" not in str(form["description"])


def test_the_migration_encrypts_values_stored_in_clear(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    record = record_add(
        scope=admin_scope,
        member=member,
        slug="hardship",
        data={"kind": "低保", "description": "家中无劳动力", "since": date(2024, 1, 1)},
    )
    with connection.cursor() as cursor:  # what a county held before this release
        cursor.execute(
            "UPDATE members_member SET landline = '0912-7654321' WHERE id = %s", [member.pk]
        )
        cursor.execute(
            "UPDATE members_hardshiprecord SET kind = '低保', description = '家中无劳动力' "
            "WHERE id = %s",
            [record.pk],
        )
    editor = SimpleNamespace(connection=connection)
    for _ in range(2):  # idempotent: tokens are left alone
        _rewrite_columns(
            django_apps, editor, "members", "Member", columns=["landline"], forward=True
        )
        _rewrite_columns(
            django_apps,
            editor,
            "members",
            "HardshipRecord",
            columns=["kind", "description"],
            forward=True,
        )
    assert token_version(_raw("members_member", "landline", member.pk)) == 1
    assert token_version(_raw("members_hardshiprecord", "description", record.pk)) == 1
    assert Member.objects.get(pk=member.pk).landline == "0912-7654321"
    assert HardshipRecord.objects.get(pk=record.pk).description == "家中无劳动力"
    # Reversed: clear again, as the column was.
    _rewrite_columns(django_apps, editor, "members", "Member", columns=["landline"], forward=False)
    assert _raw("members_member", "landline", member.pk) == "0912-7654321"
