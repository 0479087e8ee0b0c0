"""The team forms in Chromium (issue 16): appoint a member through the type-to-search
picker, end the post, and change what a post may do. Each stores what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.models import Post, PostGrantOverride
from tenants.access.permissions import Perm
from tenants.access.scope import scope_for
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.e2e.conftest import login, pick, url
from tests.e2e.test_form_roundtrip import orm, submit
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.live]

ORG_NAME = "班子往返测试党支部"
NAME = "古丽娜·热合曼"


@dataclass(frozen=True)
class Team:
    org_id: int
    member_id: int


def _clean() -> None:
    members = Member.objects.filter(org__name=ORG_NAME)
    Post.objects.filter(member__in=members).delete()
    members.delete()
    for org in Organization.objects.filter(name=ORG_NAME):
        org.changes.all().delete()
        Organization.objects.get(pk=org.pk).delete()
    PostGrantOverride.objects.filter(post_code="secrecy").delete()


def _make(schema: str, region_code: str) -> Team:
    with schema_context(schema):
        _clean()
        admin = User.objects.get(username="admin")
        scope = scope_for(admin)
        town = Organization.objects.get(name__endswith="某镇党委")
        try:
            org = org_create(scope=scope, parent=town, name=ORG_NAME, type_code="branch")
        except TypeError:  # before org_create took a scope
            org = org_create(parent=town, name=ORG_NAME, type_code="branch")
        member = member_create(
            scope=scope,
            data=MemberData(
                org=Organization.objects.get(pk=org.pk),
                name=NAME,
                id_number=make_id_number(region_code, date(1986, 9, 3), 93, "female"),
                ethnicity_code="05",
                category_code="full",
                joined_at=date(2012, 7, 1),
                full_member_at=date(2013, 7, 1),
                education_code="21",
                phone="13900009393",
                address="榆阳区往返路 3 号",
            ),
        )
        return Team(org.pk, member.pk)


@pytest.fixture
def team(live_server_port, committed, alpha) -> Iterator[Team]:  # type: ignore[no-untyped-def]
    made = in_thread(lambda: _make(alpha.schema, alpha.region_code))
    yield made

    def clean() -> None:
        with schema_context(alpha.schema):
            _clean()

    in_thread(clean)


def _posts(schema: str, member_id: int) -> list[tuple[str, date, date | None, str]]:
    return orm(
        schema,
        lambda: list(
            Post.objects.filter(member_id=member_id)
            .order_by("pk")
            .values_list("post_code", "started_at", "ended_at", "end_reason")
        ),
    )


def test_appointing_and_ending_a_post_store_the_dates_as_typed(
    page_factory, live_server_port, team, alpha
):
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/teams/{team.org_id}/appoint/"))
    pick(page, "#id_member", "glnrhm", NAME)
    page.select_option("#id_post_code", "organization")
    page.fill("#id_started_at", "2024-05-06")
    submit(page, "任命")
    page.wait_for_url(f"**/teams/{team.org_id}/")
    assert "组织委员" in page.inner_text("[data-testid=team-posts]")
    assert _posts(alpha.schema, team.member_id) == [("organization", date(2024, 5, 6), None, "")]

    page.get_by_role("link", name="免职").first.click()
    page.wait_for_url("**/end/")
    # An end date before the start is refused in Chinese and nothing is stored.
    page.fill("#id_ended_at", "2024-05-01")
    page.fill("#id_reason", "工作调动")
    with page.expect_navigation():
        page.get_by_role("button", name="免职").click()
    assert "免职日期不能早于任职日期" in page.inner_text("form.stacked")
    assert _posts(alpha.schema, team.member_id)[0][2] is None
    page.fill("#id_ended_at", "2025-12-31")
    page.fill("#id_reason", "工作调动，另有任用")
    submit(page, "免职")
    page.wait_for_url(f"**/teams/{team.org_id}/")
    assert _posts(alpha.schema, team.member_id) == [
        ("organization", date(2024, 5, 6), date(2025, 12, 31), "工作调动，另有任用")
    ]
    page.goto(url(live_server_port, alpha.host, f"/teams/{team.org_id}/history/"))
    history = page.inner_text("[data-testid=history-rows]")
    assert "2024-05-06" in history and "2025-12-31" in history and "另有任用" in history


def test_a_post_permission_override_stores_what_was_chosen(
    page_factory, live_server_port, team, alpha
):
    page = page_factory()
    login(page, live_server_port, alpha.host, "anquan", PASSWORD)  # 安全管理员
    page.goto(url(live_server_port, alpha.host, "/teams/permissions/"))
    # From the matrix cell 保密委员 × 查看党内统计 to its form, prefilled.
    page.goto(
        url(
            live_server_port,
            alpha.host,
            f"/teams/permissions/change/?post=secrecy&permission={Perm.STATS_VIEW}",
        )
    )
    assert page.input_value("#id_post_code") == "secrecy"
    assert page.input_value("#id_permission") == Perm.STATS_VIEW
    assert page.is_checked("input[name=granted][value='1']")
    page.fill("#id_reason", "县委组织部〔2026〕5号：保密委员参与统计核对")
    submit(page, "保存")
    page.wait_for_url("**/teams/permissions/")
    assert "保密委员参与统计核对" in page.inner_text("[data-testid=grant-overrides]")
    rows = orm(
        alpha.schema,
        lambda: list(
            PostGrantOverride.objects.values_list(
                "post_code", "permission", "granted", "reason", "updated_by__username"
            )
        ),
    )
    assert rows == [
        (
            "secrecy",
            Perm.STATS_VIEW,
            True,
            "县委组织部〔2026〕5号：保密委员参与统计核对",
            "anquan",
        )
    ]
    # Back to the city default: the override goes.
    page.goto(
        url(
            live_server_port,
            alpha.host,
            f"/teams/permissions/change/?post=secrecy&permission={Perm.STATS_VIEW}",
        )
    )
    assert page.is_checked("input[name=granted][value='0']")
    submit(page, "保存")
    assert orm(alpha.schema, PostGrantOverride.objects.count) == 0
