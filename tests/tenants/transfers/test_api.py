"""Transfer API: scoped lists and fetches, actions through the services, isolation between
counties and subtrees, malformed input → 400 with Chinese messages by field (never 500)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenants.transfers.models import Kind, State, Transfer
from tenants.transfers.services import transfer_start
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, scope, user, village
from tests.tenants.transfers.helpers import outcome, send_alpha_to_beta, settle

JSON = "application/json"


def _within(schema: str, org_name: str = "另一村党支部") -> int:
    """A within-county transfer from 另一村党支部 to 某村党支部 (or the reverse)."""
    with schema_context(schema):
        source = other_village() if org_name == "另一村党支部" else village()
        target = village() if source != village() else other_village()
        return transfer_start(
            scope=scope("admin"),
            actor=user("admin"),
            member=new_member(source, login=False, name="接口人"),
            kind=Kind.WITHIN,
            reason="搬家",
            to_org=target,
        ).pk


def _beta_only_transfer_id(alpha, beta) -> int:  # type: ignore[no-untyped-def]
    """A transfer id that exists in beta and not in alpha (ids are per schema)."""
    with schema_context(alpha.schema):
        alpha_max = Transfer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    transfer_id = 0
    while transfer_id <= alpha_max:
        transfer_id = _within(beta.schema)
    return transfer_id


def test_the_committee_approves_every_step_through_the_api(db, alpha):
    transfer_id = _within(alpha.schema)
    client = logged_in(alpha.host, "townsec")
    listing = client.get("/api/transfers/").json()
    assert transfer_id in [row["id"] for row in listing["results"]]
    detail = client.get(f"/api/transfers/{transfer_id}/").json()
    assert detail["state"] == State.PENDING_COMMITTEE and detail["state_label"] == "待转出党委审批"
    body = client.post(
        f"/api/transfers/{transfer_id}/approve/", {"note": "同意"}, content_type=JSON
    )
    assert body.status_code == 200 and body.json()["state"] == State.PENDING_RECEIVER
    body = client.post(f"/api/transfers/{transfer_id}/accept/", {}, content_type=JSON)
    assert body.json()["state"] == State.PENDING_RECEIVER_BRANCH
    # the branch secretary of the receiving branch accepts the last step
    body = logged_in(alpha.host, "branchsec").post(
        f"/api/transfers/{transfer_id}/accept/", {}, content_type=JSON
    )
    assert body.status_code == 200 and body.json()["state"] == State.COMPLETED
    assert [a["action"] for a in body.json()["actions"]][-1] == "accept"


def test_return_needs_a_reason_and_names_it(db, alpha):
    transfer_id = _within(alpha.schema)
    client = logged_in(alpha.host, "admin")
    response = client.post(f"/api/transfers/{transfer_id}/return/", {}, content_type=JSON)
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        f"/api/transfers/{transfer_id}/return/", {"reason": "   "}, content_type=JSON
    )
    assert response.status_code == 400
    with schema_context(alpha.schema):
        assert Transfer.objects.get(pk=transfer_id).state == State.PENDING_COMMITTEE
    ok = client.post(
        f"/api/transfers/{transfer_id}/return/", {"reason": "材料不全"}, content_type=JSON
    )
    assert ok.json()["state"] == State.RETURNED and ok.json()["return_reason"] == "材料不全"


def test_beta_and_other_subtrees_get_404(db, alpha, beta):
    beta_id = _beta_only_transfer_id(alpha, beta)
    alpha_admin = logged_in(alpha.host, "admin")
    assert alpha_admin.get(f"/api/transfers/{beta_id}/").status_code == 404
    assert (
        alpha_admin.post(f"/api/transfers/{beta_id}/approve/", {}, content_type=JSON).status_code
        == 404
    )
    # a beta session on alpha's host is anonymous there
    beta_admin = logged_in(beta.host, "admin")
    beta_admin.defaults["HTTP_HOST"] = alpha.host
    assert beta_admin.get(f"/api/transfers/{beta_id}/").status_code in (401, 403)
    # another branch's transfer: branchsec sees only what touches 某村党支部
    with schema_context(alpha.schema):
        member = new_member(other_village(), login=False)
        away = transfer_start(
            scope=scope("admin"),
            actor=user("admin"),
            member=member,
            kind=Kind.CITY_OUT,
            reason="外省就业",
            to_name="中共某省某县委组织部",
        ).pk
    branchsec = logged_in(alpha.host, "branchsec")
    assert branchsec.get(f"/api/transfers/{away}/").status_code == 404
    assert away not in [r["id"] for r in branchsec.get("/api/transfers/").json()["results"]]
    assert (
        branchsec.post(
            f"/api/transfers/{away}/return/", {"reason": "x"}, content_type=JSON
        ).status_code
        == 404
    )
    member_client = logged_in(alpha.host, "member")
    assert member_client.get(f"/api/transfers/{away}/").status_code == 404
    assert member_client.get("/api/transfers/").json()["results"] == []


def test_a_member_applies_for_themselves_and_cannot_approve(db, alpha):
    with schema_context(alpha.schema):
        to_org = other_village().pk
    client = logged_in(alpha.host, "member")
    created = client.post(
        "/api/transfers/",
        {"kind": "within", "reason": "工作调动", "to_org": to_org},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == State.PENDING_BRANCH
    refused = client.post(f"/api/transfers/{body['id']}/approve/", {}, content_type=JSON)
    assert refused.status_code == 400 and "无权" in refused.json()["errors"]["__all__"][0]
    again = client.post(
        "/api/transfers/",
        {"kind": "within", "reason": "工作调动", "to_org": to_org},
        content_type=JSON,
    )
    assert again.status_code == 400 and "正在办理" in again.json()["errors"]["member"][0]


def test_malformed_input_is_400_with_chinese_field_errors(db, alpha):
    client = logged_in(alpha.host, "admin")
    bad_json = client.post("/api/transfers/", "{not json", content_type=JSON)
    assert bad_json.status_code == 400
    wrong = client.post(
        "/api/transfers/",
        {"kind": "teleport", "dues_until": "yesterday", "to_org": "abc"},
        content_type=JSON,
    )
    assert wrong.status_code == 400
    errors = wrong.json()
    assert {"kind", "dues_until", "to_org", "reason"} <= set(errors)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors["reason"][0])  # Chinese text
    no_target = client.post(
        "/api/transfers/",
        {"kind": "within", "reason": "搬家", "member": 10**9},
        content_type=JSON,
    )
    assert no_target.status_code == 400 and "member" in no_target.json()["errors"]
    assert client.get("/api/transfers/abc/").status_code == 404
    assert (
        client.post("/api/transfers/inbox/not-a-uuid/accept/", {}, content_type=JSON).status_code
        == 404
    )


def test_the_inbox_api_accepts_once_and_only_in_the_receiving_county(db, alpha, beta):
    sent = send_alpha_to_beta(records=False)
    beta_admin = logged_in(beta.host, "admin")
    inbox = beta_admin.get("/api/transfers/inbox/").json()["results"]
    assert str(sent.envelope_id) in [e["id"] for e in inbox]
    detail = beta_admin.get(f"/api/transfers/inbox/{sent.envelope_id}/").json()
    assert detail["preview"]["reason"] == "工作调动" and detail["valid_until"]
    alpha_admin = logged_in(alpha.host, "admin")
    assert alpha_admin.get(f"/api/transfers/inbox/{sent.envelope_id}/").status_code == 404
    assert (
        alpha_admin.post(
            f"/api/transfers/inbox/{sent.envelope_id}/accept/", {"org": 1}, content_type=JSON
        ).status_code
        == 404
    )
    # branchsec of beta is not at committee level: no inbox
    assert (
        logged_in(beta.host, "branchsec")
        .get(f"/api/transfers/inbox/{sent.envelope_id}/")
        .status_code
        == 404
    )
    missing = beta_admin.post(
        f"/api/transfers/inbox/{sent.envelope_id}/accept/", {}, content_type=JSON
    )
    assert missing.status_code == 400 and "org" in missing.json()
    with schema_context(beta.schema):
        from tenants.orgs.models import Organization

        org = Organization.objects.get(name__endswith="某村党支部").pk
    first = beta_admin.post(
        f"/api/transfers/inbox/{sent.envelope_id}/accept/", {"org": org}, content_type=JSON
    )
    assert first.status_code == 202 and first.json()["state"] == "accepting"
    assert first.json()["state_label"] == "接收中"
    second = beta_admin.post(
        f"/api/transfers/inbox/{sent.envelope_id}/accept/", {"org": org}, content_type=JSON
    )
    assert second.status_code == 202 and second.json()["id"] == first.json()["id"]
    listed = beta_admin.get("/api/transfers/inbox/").json()["results"]
    assert [e["state"] for e in listed if e["id"] == str(sent.envelope_id)] == ["accepting"]
    settle(sent.envelope_id)
    assert outcome(sent).active == 1
    accepted = beta_admin.get(f"/api/transfers/inbox/{sent.envelope_id}/").json()
    assert accepted["state"] == "accepted"
