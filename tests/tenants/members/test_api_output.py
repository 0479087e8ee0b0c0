"""The member list's hand-built rows equal what DRF's generic serializer would produce."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework import serializers

from tenants.members.api import MemberSerializer
from tenants.members.models import Member
from tenants.members.services import member_create
from tests.tenants.members.conftest import data

pytestmark = pytest.mark.django_db


def test_fast_rows_equal_drf_rows(admin_scope, village):
    plain = member_create(scope=admin_scope, data=data(village, phone="", address=""))
    full = member_create(
        scope=admin_scope,
        data=data(
            village,
            name="李四",
            id_sex="male",
            birth=date(1980, 1, 2),
            job_title="村委会主任",
            occupation_code="farmer",
            landline="0912-1234567",
        ),
    )
    # Flags set by their own actions elsewhere; here only their output shape matters.
    Member.objects.filter(pk=full.pk).update(
        flowing=True, flow_destination="西安市", lost_contact=True, lost_contact_at=date(2024, 3, 1)
    )
    checked = 0
    for member in Member.objects.select_related("org").order_by("id"):
        serializer = MemberSerializer(member)
        generic = serializers.ModelSerializer.to_representation(serializer, member)
        assert serializer.data == generic, member.name
        checked += 1
    assert checked >= 2 and plain.pk and full.pk
