"""The API does what the pages do, through the same services and scope."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.orglife.models import Meeting
from tests.conftest import logged_in


def _post(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(data), content_type="application/json")


def test_plan_sign_in_vote_and_count_through_the_api(db, alpha, beta):
    from tenants.orgs.models import Organization

    with schema_context(alpha.schema):
        village = Organization.objects.get(name__endswith="某村党支部").pk
    sec = logged_in(alpha.host, "branchsec")
    start = (timezone.now() - timedelta(minutes=5)).isoformat()
    made = _post(
        sec, "/api/orglife/meetings/", {"org": village, "type_code": "assembly", "starts_at": start}
    )
    assert made.status_code == 201, made.content
    meeting = made.json()["id"]
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
