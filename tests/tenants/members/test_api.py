from __future__ import annotations

import json
from datetime import date

import pytest
from django_tenants.utils import schema_context

from tenants.members.models import Member, PersonalDataAccess
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

pytestmark = pytest.mark.django_db


def _village_id(schema: str) -> int:
    with schema_context(schema):
        return Organization.objects.get(name__endswith="某村党支部").pk


def _payload(org_id: int, **overrides: object) -> dict:
    body = {
        "org": org_id,
        "name": "刘新人",
        "id_number": make_id_number("610802", date(1995, 2, 3), 12, "male"),
        "ethnicity_code": "01",
        "category_code": "probationary",
        "joined_at": "2025-07-01",
        "phone": "13800001111",
    }
    body.update(overrides)
    return body


def _full(member: Member) -> dict[str, object]:
    """Every field a PUT of the member sends back."""
    return {
        "org": member.org_id,
        "name": member.name,
        "id_number": member.id_number,
        "phone": member.phone,
        "address": member.address,
        "ethnicity_code": member.ethnicity_code,
        "category_code": member.category_code,
        "joined_at": str(member.joined_at),
        "full_member_at": str(member.full_member_at),
    }


def test_create_returns_masked_values(alpha):
    client = logged_in(alpha.host, "branchsec")
    response = client.post(
        "/api/members/", _payload(_village_id(alpha.schema)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sex"] == "male" and body["birth_date"] == "1995-02-03"
    assert "*" in body["id_number"] and body["phone"] == "138******11"


def test_errors_are_chinese_and_by_field(alpha):
    client = logged_in(alpha.host, "admin")
    response = client.post(
        "/api/members/",
        _payload(_village_id(alpha.schema), id_number="610802199502031230", joined_at="1990-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "id_number" in errors
    assert "公民身份号码" in errors["id_number"][0]


def test_malformed_requests_get_400_not_500(alpha):
    client = logged_in(alpha.host, "admin")
    bad_json = client.post("/api/members/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400
    wrong_types = client.post(
        "/api/members/", {"org": "abc", "joined_at": "yesterday"}, content_type="application/json"
    )
    assert wrong_types.status_code == 400
    # A filter that cannot be applied is refused, not dropped (which listed everyone).
    refused = client.get("/api/members/?org=xyz")
    assert refused.status_code == 400 and list(refused.json()) == ["org"]


def test_branch_secretary_cannot_register_outside_the_branch(alpha):
    with schema_context(alpha.schema):
        other = Organization.objects.get(name__endswith="另一村党支部").pk
    client = logged_in(alpha.host, "branchsec")
    response = client.post("/api/members/", _payload(other), content_type="application/json")
    assert response.status_code == 400
    with schema_context(alpha.schema):
        assert not Member.objects.filter(name="刘新人").exists()


def test_reveal_endpoint_checks_password_and_logs(alpha):
    client = logged_in(alpha.host, "branchsec")
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
        clear = member.id_number
    url = f"/api/members/{member.pk}/reveal/"
    wrong = client.post(
        url, {"field": "id_number", "password": "nope"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "密码" in json.dumps(wrong.json(), ensure_ascii=False)
    ok = client.post(
        url, {"field": "id_number", "password": PASSWORD}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["value"] == clear
    assert "no-store" in ok["Cache-Control"]
    with schema_context(alpha.schema):
        assert PersonalDataAccess.objects.filter(member=member, field="id_number").count() == 1
    # A member without a post: their own record only (with the password), no one else's.
    plain = logged_in(alpha.host, "member")
    own = plain.post(
        url, {"field": "id_number", "password": PASSWORD}, content_type="application/json"
    )
    assert own.status_code == 200 and own.json()["value"] == clear
    with schema_context(alpha.schema):
        other = Member.objects.get(user__username="branchsec")
    refused = plain.post(
        f"/api/members/{other.pk}/reveal/",
        {"field": "id_number", "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404) and other.id_number not in refused.content.decode()


def test_status_endpoint_changes_status(alpha):
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        member = Member.objects.get(name="赵其他")
    response = client.post(
        f"/api/members/{member.pk}/status/",
        {
            "action": "suspend",
            "effective_date": "2026-01-05",
            "reason": "长期失去联系",
            "password": PASSWORD,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["to_status"] == "suspended"
    with schema_context(alpha.schema):
        member.refresh_from_db()
        full = _full(member)
    update = client.put(
        f"/api/members/{member.pk}/",
        dict(full, party_status_code="normal"),
        content_type="application/json",
    )
    assert update.status_code == 200
    assert update.json()["party_status_code"] == "suspended"  # not an editable field


def test_pages_register_and_show_a_member(alpha):
    client = logged_in(alpha.host, "admin")
    form = _payload(
        _village_id(alpha.schema),
        full_member_at="",
        sex="",
        birth_date="",
        education_code="",
        occupation_code="",
        landline="",
        address="",
        job_title="",
    )
    response = client.post("/members/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = client.get(response["Location"]).content.decode()
    assert "刘新人" in detail and "预备党员" in detail
    bad = client.post("/members/new/", dict(form, id_number="123"))
    assert bad.status_code == 200 and "18 位" in bad.content.decode()


def test_no_clear_id_numbers_in_logs(alpha, caplog):
    caplog.set_level("DEBUG")
    client = logged_in(alpha.host, "admin")
    payload = _payload(_village_id(alpha.schema))
    client.post("/api/members/", payload, content_type="application/json")
    client.get("/api/members/", {"q": payload["id_number"]})
    assert payload["id_number"] not in caplog.text


def test_extended_sets_and_proposals_through_the_api(alpha):
    from tenants.members.models import EditProposal

    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
    branchsec = logged_in(alpha.host, "branchsec")
    added = branchsec.post(
        f"/api/members/{member.pk}/records/",
        {
            "set": "honors",
            "values": {
                "kind": "reward",
                "name": "优秀共产党员",
                "decided_at": "2025-07-01",
                "authority": "县委",
            },
        },
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    sets = branchsec.get(f"/api/members/{member.pk}/records/").json()
    honors = next(s for s in sets if s["slug"] == "honors")
    assert honors["rows"][0]["cells"][1] == "优秀共产党员"
    bad = branchsec.post(
        f"/api/members/{member.pk}/records/",
        {"set": "honors", "values": {"kind": "medal"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    own = logged_in(alpha.host, "member")
    submitted = own.post(
        "/api/proposals/", {"changes": {"phone": "13600009999"}}, content_type="application/json"
    )
    assert submitted.status_code == 201 and submitted.json()["changes"]["phone"] == "136******99"
    assert own.get("/api/proposals/").json()["results"] == []  # not one's own reviewer
    queue = branchsec.get("/api/proposals/").json()["results"]
    assert [p["member_name"] for p in queue] == [member.name]
    returned = branchsec.post(
        f"/api/proposals/{queue[0]['id']}/return/", {"reason": ""}, content_type="application/json"
    )
    assert returned.status_code == 400
    approved = branchsec.post(f"/api/proposals/{queue[0]['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    with schema_context(alpha.schema):
        assert Member.objects.get(pk=member.pk).phone == "13600009999"
        assert EditProposal.objects.get(pk=queue[0]["id"]).decided_by.username == "branchsec"


def test_openapi_schema_describes_the_county_api(alpha):
    schema = logged_in(alpha.host, "admin").get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/members/", "/api/orgs/", "/api/proposals/", "/api/notifications/"):
        assert path in text


def test_changing_protected_values_through_the_api_needs_the_password_step(alpha):  # type: ignore[no-untyped-def]
    """As on the edit page: the ID number, phone and address change only after reveal."""
    client = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        member = Member.objects.get(name="李支书")
        full = _full(member)
    changed = dict(full, phone="13911112222")
    refused = client.put(f"/api/members/{member.pk}/", changed, content_type="application/json")
    assert refused.status_code == 403 and "验证密码" in refused.json()["detail"]
    revealed = client.post(
        f"/api/members/{member.pk}/reveal/",
        {"field": "phone", "password": PASSWORD},
        content_type="application/json",
    )
    assert revealed.status_code == 200
    done = client.put(f"/api/members/{member.pk}/", changed, content_type="application/json")
    assert done.status_code == 200
    with schema_context(alpha.schema):
        assert Member.objects.get(pk=member.pk).phone == "13911112222"
    # The step is spent by the change.
    again = client.put(f"/api/members/{member.pk}/", full, content_type="application/json")
    assert again.status_code == 403
