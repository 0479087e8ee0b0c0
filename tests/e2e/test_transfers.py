"""Transfers in the browser: a member applies on a phone (375×812) for a transfer within
the county and follows its state; the branch secretary approves it on a desktop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.e2e.conftest import login, pick, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

PHONE = {"width": 375, "height": 812}


def _ids(schema: str) -> tuple[int, int]:
    from tenants.members.models import Member
    from tenants.orgs.models import Organization

    with schema_context(schema):
        member = Member.objects.get(user__username="member").pk
        target = Organization.objects.get(name__endswith="另一村党支部").pk
    return member, target


def _purge(schema: str, member_id: int) -> None:
    """Remove the committed transfer (its action log is append-only: triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                f"DELETE FROM {schema}.transfers_transferaction WHERE transfer_id IN "
                f"(SELECT id FROM {schema}.transfers_transfer WHERE member_id = %s)",
                [member_id],
            )
            cursor.execute(
                f"DELETE FROM {schema}.transfers_transfer WHERE member_id = %s", [member_id]
            )
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def member_ids(committed, alpha) -> Iterator[tuple[int, int]]:  # type: ignore[no-untyped-def]
    ids = in_thread(lambda: _ids(alpha.schema))
    yield ids
    in_thread(lambda: _purge(alpha.schema, ids[0]))


def test_a_member_applies_on_a_phone_and_the_branch_secretary_approves(
    browser, live_server_port, member_ids, alpha
):
    _, target = member_ids
    phone_ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        phone = phone_ctx.new_page()
        login(phone, live_server_port, alpha.host, "member", PASSWORD)
        phone.goto(url(live_server_port, alpha.host, "/transfers/mine/"))
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.select_option("#id_kind", "within")
        pick(phone, "#id_to_org", "lycdzb", "另一村党支部")
        assert phone.input_value("#id_to_org") == str(target)
        phone.fill("#id_reason", "家庭住址变动，就近参加组织生活")
        phone.get_by_role("button", name="提交申请").click()
        phone.wait_for_load_state("networkidle")
        assert "转接申请已提交" in phone.inner_text("[role=status]")
        state = phone.locator("[data-testid=my-transfer-state]").first
        assert state.inner_text() == "待转出支部审核"
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # the form is gone while a transfer is under way
        assert phone.locator("#id_reason").count() == 0

        desk = desk_ctx.new_page()
        login(desk, live_server_port, alpha.host, "branchsec", PASSWORD)
        desk.goto(url(live_server_port, alpha.host, "/transfers/?tab=outgoing"))
        desk.get_by_role("link", name=f"{alpha.name}党员").first.click()
        desk.wait_for_load_state("networkidle")
        assert desk.inner_text("[data-testid=transfer-state]") == "待转出支部审核"
        desk.fill("#id_note", "情况属实，同意转出")
        desk.click("[data-testid=approve]")
        desk.wait_for_load_state("networkidle")
        assert desk.inner_text("[data-testid=transfer-state]") == "待转出党委审批"
        assert "情况属实，同意转出" in desk.inner_text("[data-testid=timeline]")

        phone.reload()
        state = phone.locator("[data-testid=my-transfer-state]").first
        assert state.inner_text() == "待转出党委审批"
        assert "同意" in phone.inner_text("[data-testid=timeline]")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone_ctx.close()
        desk_ctx.close()


def _purge_proofs(schema: str) -> None:
    from tenants.transfers.models import ProofLetter

    with schema_context(schema):
        ProofLetter.objects.filter(destination="e2e 深圳市南山区").delete()


def test_a_branch_secretary_issues_a_proof_letter_on_a_phone(
    browser, live_server_port, committed, alpha, tmp_path
):
    member, _ = in_thread(lambda: _ids(alpha.schema))
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    try:
        page = ctx.new_page()
        login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
        page.goto(url(live_server_port, alpha.host, "/transfers/proofs/new/"))
        pick(page, "#id_member", "yyqdy", "榆阳区党员")
        assert page.input_value("#id_member") == str(member)
        page.fill("#id_destination", "e2e 深圳市南山区")
        page.fill("#id_reason", "外出务工")
        page.fill("#id_months", "6")
        page.get_by_role("button", name="提交").click()
        page.wait_for_load_state("networkidle")
        error = page.inner_text("[data-field=months]")
        assert "外出时间（月）" in error and "转移组织关系" in error
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.fill("#id_months", "3")
        page.get_by_role("button", name="提交").click()
        page.wait_for_load_state("networkidle")
        assert "e2e 深圳市南山区" in page.inner_text("[data-testid=proof-facts]")
        assert page.inner_text("[data-testid=proof-state]") == "有效"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "proof.png"), full_page=True)
    finally:
        ctx.close()
        in_thread(lambda: _purge_proofs(alpha.schema))


RECEIVING = ("to_org", "target_schema", "to_name")
SHOWN_FOR = {
    "within": {"to_org"},
    "county_out": {"target_schema", "to_name"},
    "city_out": {"to_name"},
}


def _shown(page) -> set[str]:  # type: ignore[no-untyped-def]
    return {n for n in RECEIVING if page.locator(f'.field:has([name="{n}"])').is_visible()}


@pytest.mark.parametrize(
    ("username", "path"), [("member", "/transfers/mine/"), ("admin", "/transfers/new/")]
)
def test_the_transfer_form_shows_the_fields_of_the_chosen_kind_only(
    browser, live_server_port, committed, alpha, username, path
):
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    plain = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = phone.new_page()
        login(page, live_server_port, alpha.host, username, PASSWORD)
        page.goto(url(live_server_port, alpha.host, path))
        assert page.input_value("#id_kind") == "within" and _shown(page) == SHOWN_FOR["within"]
        for kind in ("county_out", "city_out", "within"):
            page.select_option("#id_kind", kind)
            assert _shown(page) == SHOWN_FOR[kind], kind
        # Without JavaScript every field shows (the server checks what the kind needs).
        page = plain.new_page()
        login(page, live_server_port, alpha.host, username, PASSWORD)
        page.goto(url(live_server_port, alpha.host, path))
        assert _shown(page) == set(RECEIVING)
    finally:
        phone.close()
        plain.close()


def test_another_county_accepts_in_the_browser_and_the_workers_bring_the_member(
    browser, live_server_port, celery_worker_process, committed, alpha, beta
):
    """横山区's committee accepts a member of 榆阳区 in its inbox; the sending county's
    worker closes its side, the receiving county's worker creates the member; the inbox
    row says 接收中 meanwhile and the accepting user is told when the member is there."""
    import time

    from tests.tenants.transfers.helpers import outcome, purge, send_alpha_to_beta

    sent = in_thread(send_alpha_to_beta)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = ctx.new_page()
        login(page, live_server_port, beta.host, "admin", PASSWORD)
        page.goto(url(live_server_port, beta.host, "/transfers/?tab=inbox"))
        page.locator(f"[data-testid=transfer-rows] a[href$='{sent.envelope_id}/']").click()
        page.wait_for_load_state("networkidle")
        assert "工作调动" in page.inner_text("main")
        pick(page, "#id_org", "某村", "某村党支部")
        page.get_by_test_id("accept").click()
        page.wait_for_load_state("networkidle")
        assert "已确认接收" in page.inner_text("[role=status]")
        deadline = time.monotonic() + 30
        while in_thread(lambda: outcome(sent)).envelope_state != "accepted":
            assert time.monotonic() < deadline, celery_worker_process.output()[-3000:]
            time.sleep(0.2)
        done = in_thread(lambda: outcome(sent))
        assert done.active == 1 and done.alpha_status == "transferred_out"
        page.goto(url(live_server_port, beta.host, "/notifications/"))
        assert "的组织关系已转入" in page.inner_text("main")
        page.get_by_role("link", name="转接人的组织关系已转入").first.click()
        page.wait_for_load_state("networkidle")
        assert "已完成" in page.inner_text("main") and "横山区某村党支部" in page.inner_text("main")
    finally:
        ctx.close()
        in_thread(lambda: purge(sent))
