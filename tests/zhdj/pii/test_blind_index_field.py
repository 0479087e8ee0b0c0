"""Blind-index columns compare byte by byte (collation "C") in every county's schema, for
every model that has one, and still find their rows by equality."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django_tenants.utils import schema_context

from tenants.members.models import Member
from tests.support.world import ALPHA, BETA
from zhdj.pii.fields import BlindIndexField

pytestmark = pytest.mark.django_db


def _blind_index_columns() -> list[tuple[str, str]]:
    return [
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, BlindIndexField)
    ]


def test_every_blind_index_column_has_collation_c_in_both_counties() -> None:
    columns = _blind_index_columns()
    # Members and development files, each with its audit (pghistory event) table.
    assert {t for t, _c in columns} >= {
        "members_member",
        "members_memberevent",
        "development_developmentrecord",
        "development_developmentrecordevent",
    }
    with connection.cursor() as cursor:
        for county in (ALPHA, BETA):
            for table, column in columns:
                cursor.execute(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                    [county.schema, table, column],
                )
                assert cursor.fetchone() == ("C",), (county.schema, table, column)


def test_members_are_still_found_by_their_blind_index() -> None:
    with schema_context(ALPHA.schema):
        member = Member.objects.exclude(phone_index=None).first()
        assert member is not None
        assert Member.objects.get(id_number_index=member.id_number_index) == member
        assert member in Member.objects.filter(phone_index=member.phone_index)
