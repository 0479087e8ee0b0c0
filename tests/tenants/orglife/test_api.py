"""The API does what the pages do, through the same services and scope."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.orglife.models import Ballot, Meeting
from tests.conftest import logged_in


def _post(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(data), content_type="application/json")


def _assembly_under_way(alpha, sec) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(village, meeting): a 支部党员大会 of 某村党支部 that began 5 minutes ago, planned
    through the API."""
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        village = Organization.objects.get(name__endswith="某村党支部").pk
    start = (timezone.now() - timedelta(minutes=5)).isoformat()
    made = _post(
        sec, "/api/orglife/meetings/", {"org": village, "type_code": "assembly", "starts_at": start}
    )
    assert made.status_code == 201, made.content
    return village, made.json()["id"]


def test_plan_sign_in_vote_and_count_through_the_api(db, alpha, beta):
    sec = logged_in(alpha.host, "branchsec")
    village, meeting = _assembly_under_way(alpha, sec)
    with schema_context(alpha.schema):
        token = Meeting.objects.get(pk=meeting).checkin_token
    member = logged_in(alpha.host, "member")
    assert _post(member, "/api/orglife/mine/checkin/", {"token": token}).json()["present"] is True
    ballot = _post(sec, f"/api/orglife/meetings/{meeting}/ballots/", {"subject": "同意"}).json()
    assert ballot["expected"] == 3 and ballot["secret"] is True
    assert (
        _post(member, f"/api/orglife/ballots/{ballot['id']}/vote/", {"choice": "yes"}).status_code
        == 200
    )
    again = _post(member, f"/api/orglife/ballots/{ballot['id']}/vote/", {"choice": "no"})
    assert again.status_code == 400 and "不能重复投票" in again.content.decode()
    assert _post(member, f"/api/orglife/ballots/{ballot['id']}/count/", {}).status_code == 404
    counted = _post(sec, f"/api/orglife/ballots/{ballot['id']}/count/", {}).json()
    assert (counted["present"], counted["yes"], counted["passed"]) == (1, 1, False)
    assert member.get("/api/orglife/meetings/").status_code == 403
    assert [m["id"] for m in member.get("/api/orglife/mine/").json()["results"]] == [meeting]
    rows = sec.get("/api/orglife/compliance/").json()
    assert [r["org"] for r in rows] == [village]
    assert (
        logged_in(beta.host, "branchsec").get(f"/api/orglife/meetings/{meeting}/").status_code
        == 404
    )


def test_the_appraisal_through_the_api(db, alpha, beta):
    from tenants.members.models import Member
    from tenants.orglife.history import meeting_on_record
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        village = Organization.objects.get(name__endswith="某村党支部")
        ids = dict(Member.objects.filter(org=village).values_list("user__username", "pk"))
        meeting = meeting_on_record(village, timezone.localdate() - timedelta(days=1)).pk
    sec = logged_in(alpha.host, "branchsec")
    year = timezone.localdate().year
    made = _post(sec, "/api/orglife/appraisals/", {"org": village.pk, "year": year})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    member = logged_in(alpha.host, "member")
    assert (
        _post(
            member, f"/api/orglife/appraisals/{pk}/self_assessment/", {"text": "自评"}
        ).status_code
        == 200
    )
    others = {str(v): "qualified" for k, v in ids.items() if k != "member"}
    assert (
        _post(member, f"/api/orglife/appraisals/{pk}/peer_review/", {"grades": others}).status_code
        == 200
    )
    bad = _post(member, f"/api/orglife/appraisals/{pk}/peer_review/", {"grades": {"x": "y"}})
    assert bad.status_code == 400
    assert (
        _post(member, f"/api/orglife/appraisals/{pk}/propose/", {"grades": {}}).status_code == 404
    )
    grades = {str(v): "qualified" for v in ids.values()}
    assert (
        _post(sec, f"/api/orglife/appraisals/{pk}/propose/", {"grades": grades}).json()["status"]
        == "proposed"
    )
    ballot = _post(sec, f"/api/orglife/appraisals/{pk}/vote/", {"meeting": meeting}).json()
    for username in ids:
        if username:
            _post(
                logged_in(alpha.host, username),
                f"/api/orglife/ballots/{ballot['id']}/vote/",
                {"choice": "yes"},
            )
    assert _post(sec, f"/api/orglife/ballots/{ballot['id']}/count/", {}).json()["passed"] is True
    assert _post(sec, f"/api/orglife/appraisals/{pk}/decide/", {}).json()["status"] == "decided"
    assert (
        logged_in(beta.host, "branchsec").get(f"/api/orglife/appraisals/{pk}/").status_code == 404
    )


def test_a_ballot_takes_secret_as_a_json_boolean_only(db, alpha):
    sec = logged_in(alpha.host, "branchsec")
    _, meeting = _assembly_under_way(alpha, sec)
    path = f"/api/orglife/meetings/{meeting}/ballots/"
    for wrong in ("false", "true", 0, 1, None):
        refused = _post(sec, path, {"subject": "同意", "secret": wrong})
        assert refused.status_code == 400, wrong
        assert refused.json() == {
            "errors": {"secret": ["应为 true 或 false（JSON 布尔值，不加引号）。"]}
        }
    with schema_context(alpha.schema):
        assert not Ballot.objects.filter(meeting_id=meeting).exists()
    assert _post(sec, path, {"subject": "公开表决", "secret": False}).json()["secret"] is False
    assert _post(sec, path, {"subject": "无记名表决", "secret": True}).json()["secret"] is True
    assert _post(sec, path, {"subject": "默认"}).json()["secret"] is True  # the default
