"""The type-to-search pickers in the browser: a branch secretary starts a transfer by
typing a member's pinyin initials, on a desktop and on a phone (390 px), with the
keyboard and with taps; the draft has the member that was picked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.e2e.conftest import login, pick, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NAMES = ("王书记", "榆阳区党员")


def _ids(schema: str) -> dict[str, int]:
    from tenants.members.models import Member

    with schema_context(schema):
        return dict(Member.objects.filter(name__in=NAMES).values_list("name", "id"))


def _transfers(schema: str, member_id: int) -> list[tuple[str, str]]:
    from tenants.transfers.models import Transfer

    with schema_context(schema):
        return list(
            Transfer.objects.filter(member_id=member_id).values_list("state", "to_org__name")
        )


def _purge(schema: str, member_ids: list[int]) -> None:
    """Remove the committed transfers (their action log is append-only: triggers off)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                f"DELETE FROM {schema}.transfers_transferaction WHERE transfer_id IN "
                f"(SELECT id FROM {schema}.transfers_transfer WHERE member_id = ANY(%s))",
                [member_ids],
            )
            cursor.execute(
                f"DELETE FROM {schema}.transfers_transfer WHERE member_id = ANY(%s)",
                [member_ids],
            )
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def members(committed, alpha) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    ids = in_thread(lambda: _ids(alpha.schema))
    yield ids
    in_thread(lambda: _purge(alpha.schema, list(ids.values())))


def _start(page, port: int, host: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url(port, host, "/transfers/new/"))
    page.select_option("#id_kind", "within")
    page.fill("#id_reason", "工作调动")


def test_a_member_is_picked_by_initials_with_the_keyboard(
    page_factory, live_server_port, alpha, members
):  # type: ignore[no-untyped-def]
    page = page_factory()
    login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
    _start(page, live_server_port, alpha.host)
    box = page.locator("#id_member_search")
    assert box.get_attribute("role") == "combobox"
    assert "拼音" in box.get_attribute("placeholder")
    # the label names the search box
    assert page.get_by_label(re.compile("^党员")).get_attribute("role") == "combobox"
    box.click()
    box.press_sequentially("wsj", delay=30)
    option = page.locator("[role=option]", has_text="王书记")
    option.wait_for()
    assert page.locator("[role=option]").count() == 1
    assert "榆阳区某镇党委 › 榆阳区某村党支部" in option.inner_text()
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Enter")  # picks; does not submit
    assert box.input_value() == "王书记（榆阳区某村党支部）"
    assert page.input_value("#id_member") == str(members["王书记"])
    # nothing found speaks Chinese
    target = page.locator("#id_to_org_search")
    target.click()
    target.fill("zzzz")
    page.get_by_text("没有找到匹配的结果").wait_for()
    target.fill("")
    pick(page, "#id_to_org", "lycdzb", "另一村党支部")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "转接已发起" in page.inner_text("[role=status]")
    drafts = in_thread(lambda: _transfers(alpha.schema, members["王书记"]))
    assert [name for _, name in drafts] == ["榆阳区另一村党支部"]


def test_a_member_is_picked_on_a_phone_and_kept_on_a_failed_submit(
    page_factory, live_server_port, alpha, members
):  # type: ignore[no-untyped-def]
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
    _start(page, live_server_port, alpha.host)
    page.fill("#id_reason", "")
    pick(page, "#id_member", "yyqdy", "榆阳区党员")
    box = page.locator("#id_member_search")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # the reason is missing: the page comes back with the member still chosen
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-field=reason]").count() == 1
    assert box.input_value() == "榆阳区党员（榆阳区某村党支部）"
    assert page.input_value("#id_member") == str(members["榆阳区党员"])
    pick(page, "#id_to_org", "另一村", "另一村党支部")
    page.fill("#id_reason", "工作调动")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "转接已发起" in page.inner_text("[role=status]")
    assert len(in_thread(lambda: _transfers(alpha.schema, members["榆阳区党员"]))) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
