"""Transfer pages: scope and tenant isolation, the member's phone page, the inbox."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenants.transfers.models import Kind
from tenants.transfers.services import transfer_start
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, scope, user
from tests.tenants.transfers.helpers import send_alpha_to_beta


def _within_other_village() -> int:
    member = new_member(other_village(), login=False, name="另村人")
    return transfer_start(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        kind=Kind.WITHIN,
        reason="搬家",
        to_org=__import__("tests.tenants.transfers.conftest", fromlist=["village"]).village(),
    ).pk


def test_pages_render_for_admin_and_member(db, alpha):
    admin = logged_in(alpha.host, "admin")
    for tab in ("outgoing", "incoming", "inbox", "letters", "proofs", "retentions"):
        page = admin.get(f"/transfers/?tab={tab}")
        assert page.status_code == 200, tab
    assert "组织关系转接" in admin.get("/transfers/new/").content.decode()
    mine = logged_in(alpha.host, "member").get("/transfers/mine/")
    assert mine.status_code == 200 and "申请转接" in mine.content.decode()


def test_the_member_applies_from_the_phone_page(db, alpha):
    client = logged_in(alpha.host, "member")
    with schema_context(alpha.schema):
        to_org = other_village().pk
    page = client.post(
        "/transfers/mine/",
        {"member": "x", "kind": "within", "to_org": to_org, "reason": "搬家"},
        follow=True,
    )
    assert "待转出支部审核" in page.content.decode()


def test_other_counties_and_other_subtrees_get_404(db, alpha, beta):
    with schema_context(alpha.schema):
        transfer_id = _within_other_village()
    assert logged_in(alpha.host, "admin").get(f"/transfers/{transfer_id}/").status_code == 200
    assert logged_in(beta.host, "admin").get(f"/transfers/{transfer_id}/").status_code == 404
    # branchsec's branch is 某村党支部: the transfer comes from 另一村党支部 … into 某村党支部,
    # so it is visible as incoming; the plain member sees nothing of it.
    assert logged_in(alpha.host, "member").get(f"/transfers/{transfer_id}/").status_code == 404


def test_the_inbox_shows_envelopes_only_to_the_receiving_county(db, alpha, beta):
    sent = send_alpha_to_beta(records=False)
    beta_admin = logged_in(beta.host, "admin")
    assert beta_admin.get("/transfers/?tab=inbox").status_code == 200
    assert beta_admin.get(f"/transfers/inbox/{sent.envelope_id}/").status_code == 200
    assert (
        logged_in(alpha.host, "admin").get(f"/transfers/inbox/{sent.envelope_id}/").status_code
        == 404
    )
    with schema_context(beta.schema):
        from tenants.orgs.models import Organization

        org = Organization.objects.get(name__endswith="某村党支部").pk
    page = beta_admin.post(
        f"/transfers/inbox/{sent.envelope_id}/", {"org": org, "outcome": "accept"}, follow=True
    )
    assert "已接收" in page.content.decode()
