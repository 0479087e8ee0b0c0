"""The team pages (班子与职务): appoint and end posts with dates, the team with its term,
the history of who held what, who may do which, and the county's post permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.models import Post, PostGrantOverride
from tenants.access.permissions import Perm
from tenants.access.scope import scope_for
from tenants.access.services import post_assign
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from zhdj.errors import AccessDenied

TODAY = timezone.localdate()


def _org(schema: str, suffix: str) -> Organization:
    with schema_context(schema):
        return Organization.objects.get(name__endswith=suffix)


def _member(schema: str, **lookup: str) -> Member:
    with schema_context(schema):
        return Member.objects.get(**lookup)


def _posts(schema: str, **lookup: object) -> list[Post]:
    with schema_context(schema):
        return list(Post.objects.filter(**lookup).order_by("pk"))


@pytest.fixture
def village(db, alpha) -> Organization:  # type: ignore[no-untyped-def]
    return _org(alpha.schema, "某村党支部")


@pytest.fixture
def other_village(db, alpha) -> Organization:  # type: ignore[no-untyped-def]
    return _org(alpha.schema, "另一村党支部")


@pytest.fixture
def plain_member(db, alpha) -> Member:  # type: ignore[no-untyped-def]
    return _member(alpha.schema, user__username="member")


def _appoint(client, org_id: int, member_id: int, post_code: str, started: date):  # type: ignore[no-untyped-def]
    return client.post(
        f"/teams/{org_id}/appoint/",
        {"member": str(member_id), "post_code": post_code, "started_at": started.isoformat()},
    )


# --- Appoint and end --------------------------------------------------------------------


def test_the_administrator_appoints_and_ends_a_post_with_dates(
    alpha, alpha_admin, village, plain_member
):
    page = alpha_admin.get(f"/teams/{village.pk}/appoint/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "宣传委员" in html and "任职日期" in html and "publicity" not in html.split("<form")[0]
    started = date(2024, 3, 1)
    response = _appoint(alpha_admin, village.pk, plain_member.pk, "publicity", started)
    assert response.status_code == 302 and response["Location"] == f"/teams/{village.pk}/"
    (post,) = _posts(alpha.schema, member=plain_member, post_code="publicity")
    assert (post.org_id, post.started_at, post.ended_at) == (village.pk, started, None)

    # The team lists its holders in post order: 书记 before 宣传委员.
    team = alpha_admin.get(f"/teams/{village.pk}/").content.decode()
    rows = team.split('data-testid="team-posts"')[1]
    assert rows.index("书记") < rows.index("宣传委员") < rows.index(plain_member.name)
    assert f"/teams/posts/{post.pk}/end/" in team

    # An end date before the start is refused in Chinese, on the field.
    early = alpha_admin.post(
        f"/teams/posts/{post.pk}/end/", {"ended_at": "2024-02-01", "reason": "工作调动"}
    )
    assert early.status_code == 200
    assert "免职日期不能早于任职日期" in early.content.decode()
    assert _posts(alpha.schema, pk=post.pk)[0].ended_at is None

    ended = alpha_admin.post(
        f"/teams/posts/{post.pk}/end/", {"ended_at": "2025-06-30", "reason": "工作调动"}
    )
    assert ended.status_code == 302
    (post,) = _posts(alpha.schema, pk=post.pk)
    assert (post.ended_at, post.end_reason) == (date(2025, 6, 30), "工作调动")

    # Gone from the team, kept in both histories with its dates.
    team = alpha_admin.get(f"/teams/{village.pk}/").content.decode()
    assert "宣传委员" not in team.split('data-testid="team-posts"')[1]
    for url in (f"/teams/{village.pk}/history/", f"/teams/members/{plain_member.pk}/"):
        history = alpha_admin.get(url).content.decode()
        assert "宣传委员" in history and "2024-03-01" in history and "2025-06-30" in history
        assert "工作调动" in history


def test_the_appoint_form_refuses_in_chinese_by_field(alpha, alpha_admin, village, plain_member):
    blank = alpha_admin.post(
        f"/teams/{village.pk}/appoint/", {"member": "", "post_code": "", "started_at": ""}
    )
    html = blank.content.decode()
    assert blank.status_code == 200
    assert "请选择任职的党员" in html and "请选择职务" in html and "请填写任职日期" in html
    future = TODAY + timedelta(days=3)
    html = _appoint(alpha_admin, village.pk, plain_member.pk, "youth", future).content.decode()
    assert "任职日期不能晚于今天" in html
    # Someone outside the organization's subtree is not a candidate.
    zhao = _member(alpha.schema, name="赵其他")
    html = _appoint(alpha_admin, village.pk, zhao.pk, "youth", TODAY).content.decode()
    assert "不是本组织党籍正常的党员" in html
    # The same post twice: the service's refusal, shown on the form.
    branchsec = _member(alpha.schema, user__username="branchsec")
    html = _appoint(alpha_admin, village.pk, branchsec.pk, "secretary", TODAY).content.decode()
    assert "已担任此职务" in html
    assert not _posts(alpha.schema, post_code="youth")


def test_the_candidates_are_the_organizations_members_in_good_standing(alpha, alpha_admin, village):
    names = {
        r["name"]
        for r in alpha_admin.get(
            "/teams/candidates/", {"source": "org", "org": village.pk, "q": ""}
        ).json()["results"]
    }
    assert "李支书" in names and "赵其他" not in names
    assert alpha_admin.get("/teams/candidates/", {"org": "abc"}).json()["results"] == []


def test_a_branch_secretary_appoints_in_the_branch_only(
    alpha, village, other_village, plain_member
):
    client = logged_in(alpha.host, "branchsec")
    assert client.get(f"/teams/{village.pk}/appoint/").status_code == 200
    assert _appoint(client, village.pk, plain_member.pk, "youth", TODAY).status_code == 302
    # Branch B: the page and the write are denied.
    zhao = _member(alpha.schema, name="赵其他")
    assert client.get(f"/teams/{other_village.pk}/appoint/").status_code == 403
    assert _appoint(client, other_village.pk, zhao.pk, "youth", TODAY).status_code == 403
    assert not _posts(alpha.schema, org=other_village)
    # The service refuses by itself, whatever the page did.
    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username="branchsec"))
        with pytest.raises(AccessDenied):
            post_assign(
                scope=scope,
                org=Organization.objects.get(pk=other_village.pk),
                member=Member.objects.get(pk=zhao.pk),
                post_code="youth",
                started_at=TODAY,
            )
    # Nor can they end the town secretary's post above them.
    (town_post,) = _posts(alpha.schema, member__user__username="townsec")
    end = client.post(f"/teams/posts/{town_post.pk}/end/", {"ended_at": TODAY, "reason": "x"})
    assert end.status_code == 403
    assert _posts(alpha.schema, pk=town_post.pk)[0].ended_at is None


def test_members_and_applicants_get_403_on_the_write_pages(alpha, village, plain_member):
    with schema_context(alpha.schema):
        user_create(
            username="teams_applicant",
            full_name="钱申请",
            password=PASSWORD,
            role=User.Role.APPLICANT,
        )
    (post,) = _posts(alpha.schema, member__user__username="branchsec")
    for username in ("member", "teams_applicant"):
        client = logged_in(alpha.host, username)
        for url in (
            f"/teams/{village.pk}/appoint/",
            f"/teams/posts/{post.pk}/end/",
            "/teams/permissions/",
            "/teams/permissions/change/",
            "/teams/",
            f"/teams/{village.pk}/",
        ):
            assert client.get(url).status_code == 403, (username, url)
        assert _appoint(client, village.pk, plain_member.pk, "youth", TODAY).status_code == 403
        assert (
            client.post(f"/teams/posts/{post.pk}/end/", {"ended_at": TODAY, "reason": "x"})
        ).status_code == 403
    assert _posts(alpha.schema, pk=post.pk)[0].ended_at is None
    assert not _posts(alpha.schema, post_code="youth")


# --- The team, its term and the index ---------------------------------------------------


def _set_term(schema: str, org: Organization, start: date | None, end: date | None) -> None:
    with schema_context(schema):
        Organization.objects.filter(pk=org.pk).update(term_started_at=start, term_ends_at=end)


@pytest.mark.parametrize(
    ("ends_in", "warning", "state"),
    [(-1, "已届满", "ended"), (30, "30天后届满", "ending"), (400, "", "current")],
)
def test_the_team_shows_its_term_and_warns_before_the_change(
    alpha, alpha_admin, village, ends_in, warning, state
):
    ends = TODAY + timedelta(days=ends_in)
    _set_term(alpha.schema, village, date(2023, 1, 10), ends)
    html = alpha_admin.get(f"/teams/{village.pk}/").content.decode()
    assert "2023-01-10" in html and ends.isoformat() in html
    assert ('data-testid="term-warning"' in html) == bool(warning)
    if warning:
        assert warning in html and "换届" in html
    index = alpha_admin.get("/teams/", {"state": state}).content.decode()
    assert village.name in index


def test_the_index_lists_secretaries_and_filters(alpha, alpha_admin, village, other_village):
    html = alpha_admin.get("/teams/").content.decode()
    assert village.name in html and other_village.name in html and "李支书" in html
    lonely = alpha_admin.get("/teams/", {"no_secretary": "on"}).content.decode()
    assert other_village.name in lonely and village.name not in lonely
    named = alpha_admin.get("/teams/", {"name": "另一村"}).content.decode()
    assert other_village.name in named and village.name not in named
    assert alpha_admin.get("/teams/", {"state": "nonsense"}).status_code == 400
    # A branch secretary sees the branch only.
    mine = logged_in(alpha.host, "branchsec").get("/teams/").content.decode()
    assert village.name in mine and other_village.name not in mine


def test_a_team_outside_the_scope_is_not_found(alpha, other_village):
    client = logged_in(alpha.host, "branchsec")
    assert client.get(f"/teams/{other_village.pk}/").status_code == 404
    assert client.get(f"/teams/{other_village.pk}/history/").status_code == 404
    zhao = _member(alpha.schema, name="赵其他")
    assert client.get(f"/teams/members/{zhao.pk}/").status_code == 404


def test_the_organization_page_links_to_its_team(alpha_admin, village):
    html = alpha_admin.get(f"/orgs/{village.pk}/").content.decode()
    assert f'href="/teams/{village.pk}/"' in html


# --- 出党 ends every post and the login, in the status change's transaction --------------


def _leave(schema: str, member_pk: int, on: date) -> None:
    from tenants.members.services import member_change_status

    with schema_context(schema):
        admin = User.objects.get(username="admin")
        member_change_status(
            scope=scope_for(admin),
            member=Member.objects.get(pk=member_pk),
            action="leave",
            effective_date=on,
            reason="自行脱党",
            actor=admin,
            password=PASSWORD,
        )


def _holder(schema: str) -> Member:
    """The plain member, given two posts (in two organizations) first."""
    with schema_context(schema):
        admin = scope_for(User.objects.get(username="admin"))
        member = Member.objects.get(user__username="member")
        for suffix, post_code in (("某村党支部", "publicity"), ("某镇党委", "youth")):
            post_assign(
                scope=admin,
                org=Organization.objects.get(name__endswith=suffix),
                member=member,
                post_code=post_code,
                started_at=date(2023, 1, 1),
            )
        return member


def test_leaving_the_party_ends_every_post_and_the_login_on_that_date(db, alpha):
    member = _holder(alpha.schema)
    on = TODAY - timedelta(days=2)
    _leave(alpha.schema, member.pk, on)
    posts = _posts(alpha.schema, member=member)
    assert len(posts) == 2
    assert {(p.ended_at, p.end_reason) for p in posts} == {(on, "出党")}
    with schema_context(alpha.schema):
        assert not User.objects.get(username="member").is_active
    client = logged_in(alpha.host, "admin")
    assert "现任" not in client.get(f"/teams/members/{member.pk}/").content.decode()


def test_a_failed_status_change_keeps_the_posts_and_the_login(db, alpha, monkeypatch):
    from tenants.members import services
    from tenants.members.models import MemberStatusChange

    member = _holder(alpha.schema)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("写入变动记录失败")

    # The last write of the change fails after the posts were ended: all of it rolls back.
    monkeypatch.setattr(services.MemberStatusChange.objects, "create", broken)
    with pytest.raises(RuntimeError):
        _leave(alpha.schema, member.pk, TODAY)
    assert all(p.ended_at is None for p in _posts(alpha.schema, member=member))
    with schema_context(alpha.schema):
        assert User.objects.get(username="member").is_active
        assert Member.objects.get(pk=member.pk).party_status_code == "normal"
        assert not MemberStatusChange.objects.filter(member_id=member.pk).exists()


# --- Post permissions (the security administrator's: 三员分立) ------------------------------


@pytest.fixture
def alpha_security(db, alpha):  # type: ignore[no-untyped-def]
    return logged_in(alpha.host, "anquan")


@pytest.fixture
def beta_security(db, beta):  # type: ignore[no-untyped-def]
    return logged_in(beta.host, "anquan")


def test_the_matrix_shows_chinese_names_and_no_codes(alpha, alpha_security):
    html = alpha_security.get("/teams/permissions/").content.decode()
    for name in ("书记", "宣传委员", "党小组长", "查看党员信息", "任免党内职务", "未作调整"):
        assert name in html
    body = html.split('data-testid="grant-matrix"')[1].split("</table>")[0]
    visible = body.replace("?post=", "").split('href="')
    assert all("members.view" not in part.split('"', 1)[1] for part in visible[1:])
    for role in ("branchsec", "townsec", "admin", "shenji"):
        client = logged_in(alpha.host, role)
        assert client.get("/teams/permissions/").status_code == 403
        assert client.get("/teams/permissions/change/").status_code == 403


def test_taking_members_view_from_publicity_closes_the_member_list(alpha, alpha_security):
    alpha_admin = alpha_security
    _holder(alpha.schema)  # the plain member becomes 宣传委员 (and 青年委员 of the town)
    client = logged_in(alpha.host, "member")
    assert client.get("/teams/").status_code == 200
    assert client.get("/members/").status_code == 200
    form = alpha_admin.get(
        "/teams/permissions/change/", {"post": "publicity", "permission": Perm.MEMBERS_VIEW}
    ).content.decode()
    assert 'value="0" checked' in form.replace("\n", " ").replace("  ", " ") or "checked" in form
    for post_code in ("publicity", "youth"):
        refused = alpha_admin.post(
            "/teams/permissions/change/",
            {"post_code": post_code, "permission": Perm.MEMBERS_VIEW, "granted": "0", "reason": ""},
        )
        assert "请填写调整依据" in refused.content.decode()
        response = alpha_admin.post(
            "/teams/permissions/change/",
            {
                "post_code": post_code,
                "permission": Perm.MEMBERS_VIEW,
                "granted": "0",
                "reason": "县委组织部〔2026〕3号",
            },
        )
        assert response.status_code == 302
    with schema_context(alpha.schema):
        override = PostGrantOverride.objects.get(post_code="publicity")
        assert (override.granted, override.reason) == (False, "县委组织部〔2026〕3号")
        assert override.updated_by.username == "anquan"
    matrix = alpha_admin.get("/teams/permissions/").content.decode()
    assert "县委组织部〔2026〕3号" in matrix and "调整" in matrix
    # The holder keeps the post but no longer sees members.
    assert client.get("/teams/").status_code == 403
    assert client.get("/members/").status_code in (302, 403)
    if client.get("/members/").status_code == 302:
        assert client.get("/members/")["Location"].endswith("/members/me/")


# --- Two counties ---------------------------------------------------------------------------


def test_two_counties_are_isolated(
    alpha, beta, alpha_admin, beta_admin, alpha_security, beta_security
):
    member = _holder(alpha.schema)
    alpha_posts = _posts(alpha.schema, member=member)
    with schema_context(beta.schema):
        beta_ids = set(Post.objects.values_list("pk", flat=True))
    only_alpha = [p for p in alpha_posts if p.pk not in beta_ids]
    assert only_alpha
    for post in only_alpha:
        assert beta_admin.get(f"/teams/posts/{post.pk}/end/").status_code == 404
    index = beta_admin.get("/teams/").content.decode()
    assert "横山区" in index and "榆阳区" not in index
    beta_village = _org(beta.schema, "某村党支部")
    team = beta_admin.get(f"/teams/{beta_village.pk}/").content.decode()
    assert "榆阳区" not in team and member.name not in team
    # An override in alpha changes nothing in beta.
    alpha_security.post(
        "/teams/permissions/change/",
        {"post_code": "youth", "permission": Perm.STATS_VIEW, "granted": "1", "reason": "文件"},
    )
    with schema_context(alpha.schema):
        assert PostGrantOverride.objects.exists()
    with schema_context(beta.schema):
        assert not PostGrantOverride.objects.exists()
    assert "未作调整" in beta_security.get("/teams/permissions/").content.decode()
    # Alpha's admin cannot log in on beta's host with alpha's session.
    assert alpha_admin.get("/teams/", HTTP_HOST=beta.host).status_code in (302, 403)


# --- Navigation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "teams", "permissions"),
    [
        ("admin", True, False),
        ("anquan", False, True),
        ("shenji", False, False),
        ("branchsec", True, False),
        ("member", False, False),
    ],
)
def test_the_menu_offers_the_team_pages_to_who_may_open_them(
    db, alpha, username, teams, permissions
):
    html = logged_in(alpha.host, username).get("/").content.decode()
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert ('href="/teams/"' in nav and "班子与职务" in nav) == teams
    assert ('href="/teams/permissions/"' in nav and "职务权限" in nav) == permissions


def test_an_organization_only_in_beta_is_not_found_from_alpha(alpha, beta, alpha_admin):
    with schema_context(beta.schema):
        beta_ids = set(Organization.objects.values_list("pk", flat=True))
    with schema_context(alpha.schema):
        alpha_ids = set(Organization.objects.values_list("pk", flat=True))
    org_id = max(beta_ids - alpha_ids)
    for url in (f"/teams/{org_id}/", f"/teams/{org_id}/history/", f"/teams/{org_id}/appoint/"):
        assert alpha_admin.get(url).status_code == 404, url


def test_the_permissions_button_shows_to_who_may_use_it(alpha, alpha_admin):  # type: ignore[no-untyped-def]
    """职务权限 is the security administrator's: the county administrator sees no button
    that would answer 403."""
    assert "/teams/permissions/" not in alpha_admin.get("/teams/").content.decode()
    assert alpha_admin.get("/teams/permissions/").status_code == 403
