"""The one mask rule on every page, answer and export that shows a masked ID number
(issue 17, personal data item 2): what is shown is exactly ``mask_id_number`` of the stored
value (first and last character), beside the birth date and sex, in both counties. The
page sweep (tests/zhdj/web/test_page_sweep.py::test_no_page_shows_a_full_id_number) checks
that no page shows a full number; this opens the masked workbook as well."""

from __future__ import annotations

from io import BytesIO

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from tenants.members.models import Member
from tests.conftest import logged_in
from zhdj.pii.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db


def _members(schema: str) -> list[Member]:
    with schema_context(schema):
        return list(Member.objects.all())


@pytest.mark.parametrize("county", ["alpha", "beta"])
def test_the_masked_export_carries_the_one_mask(county, request):
    c = request.getfixturevalue(county)
    members = _members(c.schema)
    response = logged_in(c.host, "admin").get("/imports/members/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb["党员信息"].iter_rows(values_only=True))
    wb.close()
    header, body = rows[0], rows[1:]
    id_col, phone_col = header.index("公民身份号码"), header.index("手机号")
    cells = {str(v) for r in body for v in r if v}
    assert not cells & {m.id_number for m in members}
    assert not cells & {m.phone for m in members if m.phone}
    assert {r[id_col] for r in body} == {mask_id_number(m.id_number) for m in members}
    assert {r[phone_col] for r in body if r[phone_col]} == {
        mask_phone(m.phone) for m in members if m.phone
    }


@pytest.mark.parametrize("county", ["alpha", "beta"])
def test_the_list_the_detail_and_the_api_carry_the_one_mask(county, request):
    c = request.getfixturevalue(county)
    members = _members(c.schema)
    client = logged_in(c.host, "admin")
    listing = client.get("/members/").content.decode()
    api = client.get("/api/members/?page_size=100").json()
    rows = api["results"] if isinstance(api, dict) else api
    shown = {r["id"]: r for r in rows}
    for m in members:
        masked = mask_id_number(m.id_number)
        assert m.id_number not in listing and masked in listing
        detail = client.get(f"/members/{m.pk}/").content.decode()
        assert m.id_number not in detail and masked in detail
        assert shown[m.pk]["id_number"] == masked and shown[m.pk]["birth_date"]
        assert shown[m.pk]["phone"] == mask_phone(m.phone)
