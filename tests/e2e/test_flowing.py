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
from tenants.flowing.models import ContactLog, FlowingGroup, Inflow, Outflow
from tenants.members.models import Member
from tenants.orgs.models import Organization
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


def _going(code: str, *, dues_place: str = "home"):  # type: ignore[no-untyped-def]
    from tenants.flowing.services import Going

    today = timezone.localdate()
    return Going(
        reason="work", destination_code=code, place="某工业园",
        starts_on=today - timedelta(days=20), ends_on=today + relativedelta(months=10),
        contact="13800001111", paper="card", dues_place=dues_place,
    )  # fmt: skip


def _away(schema: str, members: list[int], code: str, *, dues_place: str = "home") -> list[int]:
    """Members of ``schema`` registered going to ``code`` with the card issued."""
    from shared.accounts.models import User
    from tenants.access.scope import scope_for
    from tenants.flowing import services

    def run() -> list[int]:
        admin = User.objects.get(username="admin")
        out = []
        for pk in members:
            outflow = services.outflow_register(
                scope=scope_for(admin), member=Member.objects.get(pk=pk),
                going=_going(code, dues_place=dues_place), actor=admin,
            )  # fmt: skip
            services.card_issue(scope=scope_for(admin), outflow=outflow, actor=admin)
            out.append(outflow.pk)
        return out

    return orm(schema, run)


def _clean_both(alpha, beta) -> None:  # type: ignore[no-untyped-def]
    from shared.interchange.models import FlowNotice
    from tenants.members.models import MemberStatusChange

    def run() -> None:
        for county in (alpha, beta):
            with schema_context(county.schema):
                Inflow.objects.all().delete()
                lost = Member.objects.filter(lost_contact=True)
                MemberStatusChange.objects.filter(member__in=lost, action="lost_contact").delete()
                lost.update(lost_contact=False, lost_contact_at=None, lost_contact_code="")
                _clean()
        FlowNotice.objects.all().delete()

    in_thread(run)


def test_lost_contact_a_group_and_an_inflow_placed_with_dues(  # type: ignore[no-untyped-def]
    page_factory, live_server_port, committed, alpha, beta
):
    port, host = live_server_port, alpha.host
    today = timezone.localdate()
    _clean_both(alpha, beta)
    mine = orm(alpha.schema, lambda: Member.objects.get(user__username="member").pk)
    others = orm(
        alpha.schema,
        lambda: list(
            Member.objects.filter(party_status_code="normal", lost_contact=False)
            .exclude(pk=mine)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        ),
    )
    (lost_outflow,) = _away(alpha.schema, [mine], "440000")
    _away(alpha.schema, others, "320000")
    incoming = orm(beta.schema, lambda: Member.objects.filter(user=None).order_by("pk").first().pk)
    _away(beta.schema, [incoming], alpha.region_code, dues_place="destination")
    try:
        # 标记失联, with the password step: what was typed is what is stored.
        sec = page_factory()
        login(sec, port, host, "branchsec", PASSWORD)
        sec.goto(url(port, host, f"/flowing/{lost_outflow}/"))
        with sec.expect_navigation():
            sec.get_by_test_id("mark-lost").click()
        since = today - timedelta(days=200)
        sec.fill("#id_since", since.isoformat())
        sec.select_option("#id_code", "migrant")
        sec.fill("#id_steps", "电话三次未接通，走访家属未得联系方式")
        sec.check("#id_confirmed")
        sec.fill("#id_password", PASSWORD)
        submit(sec, "标记失联")
        member = orm(alpha.schema, lambda: Member.objects.get(pk=mine))
        assert (member.lost_contact, member.lost_contact_at, member.lost_contact_code) == (
            True, since, "migrant",
        )  # fmt: skip
        search = orm(alpha.schema, lambda: ContactLog.objects.get(kind="search"))
        assert search.note == "电话三次未接通，走访家属未得联系方式"

        # The county sets up a group for the three gone to 江苏, and places the inflow.
        admin = page_factory()
        login(admin, port, host, "admin", PASSWORD)
        admin.goto(url(port, host, "/flowing/groups/"))
        form = admin.get_by_test_id("group-form").filter(has_text="江苏省")
        root = orm(alpha.schema, lambda: Organization.objects.get_root_nodes().first().name)
        org_field = form.locator("select[name$='-org']").get_attribute("id")  # prefixed
        pick(admin, f"#{org_field}", root, root)
        form.locator("select[name$='-kind']").select_option("temporary")
        form.locator("input[name$='-name']").fill("驻江苏流动党员临时党支部")
        for box in form.locator("input[name$='-outflows']").all():
            box.check()
        submit(admin, "设立")
        group = orm(alpha.schema, FlowingGroup.objects.get)
        assert (group.kind, group.name, group.destination) == (
            "temporary", "驻江苏流动党员临时党支部", "江苏省",
        )  # fmt: skip
        assert orm(alpha.schema, lambda: Outflow.objects.filter(group=group).count()) == 3

        admin.goto(url(port, host, "/flowing/inflows/"))
        admin.get_by_test_id("inflow-waiting").locator("a").first.click()
        admin.wait_for_url("**/flowing/inflows/*/")
        village = orm(alpha.schema, lambda: Organization.objects.get(name__endswith="某村党支部"))
        pick(admin, "#id_place-org", village.name, village.name)
        submit(admin, "保存")
        admin.fill("#id_dues-through_month", today.strftime("%Y-%m"))
        submit(admin, "登记")
        inflow = orm(alpha.schema, Inflow.objects.get)
        assert (inflow.org_id, inflow.dues_paid_through) == (village.pk, today.replace(day=1))
    finally:
        _clean_both(alpha, beta)
