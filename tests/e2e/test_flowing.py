"""Flowing members in Chromium (issue 21): the branch secretary registers a member going
out through the form on a desktop (the rule's hint shown beside the paper, the wrong
paper refused with every value kept), the town committee issues the card, the member on a
phone (390×844) opens 我的活动证 and reports; the secretary records a contact and the
return with the card handed back. Each form stores what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.interchange.models import LetterRecord
from tenants.flowing.models import ContactLog, FlowingGroup, Outflow
from tenants.members.models import Member
from tests.e2e.conftest import assert_fits_phone, login, pick, url
from tests.e2e.test_form_roundtrip import orm, submit
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _clean() -> None:
    tokens = list(Outflow.objects.exclude(card_token="").values_list("card_token", flat=True))
    ContactLog.objects.all().delete()
    Outflow.objects.all().delete()
    FlowingGroup.objects.all().delete()
    Member.objects.filter(flowing=True).update(flowing=False, flow_destination="")
    LetterRecord.objects.filter(token__in=tokens).delete()


@pytest.fixture
def clean(live_server_port, committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def run() -> None:
        with schema_context(alpha.schema):
            _clean()

    in_thread(run)
    yield
    in_thread(run)


def test_register_issue_and_report_on_a_phone(page_factory, live_server_port, clean, alpha):
    port, host = live_server_port, alpha.host
    today = timezone.localdate()
    starts, ends = today - timedelta(days=2), today + relativedelta(months=10)
    sec = page_factory()
    login(sec, port, host, "branchsec", PASSWORD)
    sec.goto(url(port, host, "/flowing/"))
    sec.get_by_test_id("new-link").click()
    sec.wait_for_url("**/flowing/new/")
    name = orm(alpha.schema, lambda: Member.objects.get(user__username="member").name)
    pick(sec, "#id_member", name, name)
    sec.select_option("#id_reason", "work")
    sec.select_option("#id_destination_code", "440000")
    sec.fill("#id_place", "深圳市南山区某科技公司")
    sec.fill("#id_starts_on", starts.isoformat())
    sec.fill("#id_ends_on", (today + relativedelta(months=3)).isoformat())
    sec.fill("#id_contact", "13912345678")
    sec.get_by_test_id("paper-hint").filter(has_text="党员证明信").wait_for()
    sec.select_option("#id_paper", "card")
    sec.fill("#id_note", "外出前已向支部报告")
    with sec.expect_navigation():
        sec.get_by_role("button", name="登记").click()
    errors = sec.locator("ul.errorlist[data-field=paper]").inner_text()
    assert "按规定应为“党员证明信”" in errors
    assert sec.input_value("#id_place") == "深圳市南山区某科技公司"
    assert sec.input_value("#id_note") == "外出前已向支部报告"
    sec.fill("#id_ends_on", ends.isoformat())
    sec.get_by_test_id("paper-hint").filter(has_text="流动党员活动证").wait_for()
    submit(sec, "登记")
    sec.wait_for_url("**/flowing/*/")
    outflow = orm(alpha.schema, lambda: Outflow.objects.select_related("member").get())
    assert (outflow.reason, outflow.destination_code, outflow.place, outflow.contact) == (
        "work",
        "440000",
        "深圳市南山区某科技公司",
        "13912345678",
    )
    assert (outflow.starts_on, outflow.ends_on, outflow.paper, outflow.note) == (
        starts,
        ends,
        "card",
        "外出前已向支部报告",
    )
    assert sec.get_by_test_id("issue-card").count() == 0

    town = page_factory()
    login(town, port, host, "townsec", PASSWORD)
    town.goto(url(port, host, f"/flowing/{outflow.pk}/"))
    with town.expect_navigation():
        town.get_by_test_id("issue-card").click()
    serial = orm(alpha.schema, lambda: Outflow.objects.get().card_serial)
    assert serial and serial in town.get_by_test_id("card-held").inner_text()

    phone = page_factory(phone=True)
    login(phone, port, host, "member", PASSWORD)
    phone.goto(url(port, host, "/flowing/mine/"))
    assert phone.get_by_test_id("card-serial").inner_text() == serial
    assert phone.get_by_test_id("card-qr").is_visible()
    assert "县级党委组织部门" in phone.get_by_test_id("destination-org").inner_text()
    assert_fits_phone(phone)
    phone.fill("#id_note", "在深圳务工，参加园区党支部的组织生活")
    submit(phone, "提交报告")
    assert "参加园区党支部的组织生活" in phone.get_by_test_id("my-reports").inner_text()
    assert_fits_phone(phone)
    report = orm(alpha.schema, lambda: ContactLog.objects.get(kind="report"))
    assert (report.on, report.way, report.note) == (
        today,
        "手机报告",
        "在深圳务工，参加园区党支部的组织生活",
    )

    sec.goto(url(port, host, f"/flowing/{outflow.pk}/"))
    sec.get_by_label("已联系上").check()
    sec.fill("#id_way", "微信")
    sec.fill("#id_note", "视频通话，工作稳定")
    submit(sec, "记录")
    reached = orm(alpha.schema, lambda: ContactLog.objects.get(kind="reached"))
    assert (reached.on, reached.way, reached.note) == (today, "微信", "视频通话，工作稳定")
    sec.fill("#id_returned_on", today.isoformat())
    sec.check("#id_card_returned")
    submit(sec, "办理返回")
    back = orm(alpha.schema, Outflow.objects.get)
    assert (back.state, back.returned_on, back.card_returned_on) == ("returned", today, today)
