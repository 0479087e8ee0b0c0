"""The org edit form refuses a contact phone that is not a phone number and a point
outside China, naming the field in Chinese."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenants.orgs.models import Organization
from tests.conftest import logged_in


def _edit(alpha, values):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        org_id = Organization.objects.get(name__endswith="某村党支部", name__startswith="榆阳").pk
    return logged_in(alpha.host, "admin").post(f"/orgs/{org_id}/edit/", values), org_id


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"contact_phone": "abc"}, "联系电话应为 11 位手机号码或带区号的固定电话"),
        ({"contact_phone": "1391234567"}, "联系电话应为 11 位手机号码或带区号的固定电话"),
        ({"latitude": "38.3", "longitude": "10"}, "经度应在 73–136 度之间"),
        ({"latitude": "60", "longitude": "109.7"}, "纬度应在 3–54 度之间"),
    ],
)
def test_bad_phone_or_point_is_refused(db, alpha, values, message):  # type: ignore[no-untyped-def]
    response, org_id = _edit(alpha, values)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    with schema_context(alpha.schema):
        org = Organization.objects.get(pk=org_id)
        assert org.contact_phone != values.get("contact_phone")
        assert org.longitude is None or org.longitude > 73


@pytest.mark.parametrize(
    "phone", ["13912345678", "0912-3333333", "09123333333", "029-88886666-801"]
)
def test_mobile_and_landline_numbers_are_accepted(db, alpha, phone):  # type: ignore[no-untyped-def]
    response, org_id = _edit(alpha, {"contact_phone": phone})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert Organization.objects.get(pk=org_id).contact_phone == phone
