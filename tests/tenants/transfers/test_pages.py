"""Transfer pages: scope and tenant isolation, the member's phone page, the inbox."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenants.transfers.models import Kind, State, Transfer
from tenants.transfers.services import transfer_start
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, scope, user
from tests.tenants.transfers.helpers import send_alpha_to_beta, settle


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
    ).content.decode()
    assert "已确认接收" in page and "接收中" in page  # the inbox row, until the workers finish
    detail = beta_admin.get(f"/transfers/inbox/{sent.envelope_id}/").content.decode()
    assert "正在等待转出区县办结" in detail and 'data-testid="accept"' not in detail
    transfer = settle(sent.envelope_id)
    inbox = beta_admin.get("/transfers/?tab=inbox").content.decode()
    assert "接收中" not in inbox and "转入中" not in inbox
    assert beta_admin.get(f"/transfers/{transfer.pk}/").status_code == 200


def test_withdrawing_asks_first_and_says_what_happened(db, alpha):
    client = logged_in(alpha.host, "member")
    with schema_context(alpha.schema):
        to_org = other_village().pk
    applied = client.post(
        "/transfers/mine/", {"kind": "within", "to_org": to_org, "reason": "搬家"}, follow=True
    )
    assert "转接申请已提交，当前为“待转出支部审核”。" in applied.content.decode()
    with schema_context(alpha.schema):
        transfer = Transfer.objects.get(member__user__username="member")
    detail = client.get(f"/transfers/{transfer.pk}/").content.decode()
    # A link to the question, not a button that withdraws at once.
    assert f'href="/transfers/{transfer.pk}/withdraw/"' in detail
    assert 'action="/transfers/{transfer.pk}/withdraw/"' not in detail
    question = client.get(f"/transfers/{transfer.pk}/withdraw/")
    assert question.status_code == 200 and "确定撤回" in question.content.decode()
    # A post without the confirmation (an old page's button) only asks.
    unconfirmed = client.post(f"/transfers/{transfer.pk}/withdraw/")
    assert unconfirmed.status_code == 200 and "确认撤回" in unconfirmed.content.decode()
    with schema_context(alpha.schema):
        assert Transfer.objects.get(pk=transfer.pk).state == State.PENDING_BRANCH
    done = client.post(f"/transfers/{transfer.pk}/withdraw/", {"confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/transfers/{transfer.pk}/"
    text = done.content.decode()
    assert "转接申请已撤回。" in text and "已办理。" not in text
    assert '<span class="badge" data-testid="transfer-state">已撤回</span>' in text
    again = client.get(f"/transfers/{transfer.pk}/withdraw/", follow=True)
    assert "该转接已被接收或已办结，不能撤回。" in again.content.decode()


def test_each_transfer_action_says_what_was_done(db, alpha):
    admin = logged_in(alpha.host, "admin")
    with schema_context(alpha.schema):
        transfer_id = _within_other_village()  # approved by its branch: at the committee
        to_name = Transfer.objects.get(pk=transfer_id).to_name
        returned = _within_other_village()

    def act(transfer: int, action: str, note: str = "") -> str:
        page = admin.post(f"/transfers/{transfer}/{action}/", {"note": note}, follow=True)
        return page.content.decode()

    assert f"已同意，待接收党委接收（转至{to_name}）。" in act(transfer_id, "approve")
    assert f"已接收，待接收党支部（{to_name}）接收。" in act(transfer_id, "approve")
    assert f"已接收，另村人已编入{to_name}，转接已完成。" in act(transfer_id, "approve")
    assert "转接已退回，退回原因已记入办理记录。" in act(returned, "return", "材料不全")
    refused = act(returned, "approve")
    assert "已办理" not in refused and "您无权办理该转接的当前环节。" in refused
