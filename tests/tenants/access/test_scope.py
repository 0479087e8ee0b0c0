"""The access layer itself: Scope questions, the grants behind them, the per-model
``visible_to`` filter and the permission catalogue."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from shared.accounts.models import User
from shared.standards.models import Permission, PostGrant
from tenants.access.grants import default_grants, effective_grants
from tenants.access.models import Post, PostGrantOverride
from tenants.access.permissions import Perm
from tenants.access.scope import Scope, minimal, scope_for
from tenants.access.services import post_grant_set
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.support.world import PASSWORD
from zhdj.errors import AccessDenied, ApplicationError

TOWN, VILLAGE, OTHER = "0001000A", "0001000A0001", "0001000A0002"


def org(path: str) -> SimpleNamespace:
    return SimpleNamespace(path=path)


def user(name: str) -> User:
    return User.objects.get(username=name)


# --- Scope questions, without the database ----------------------------------------------


def test_has_and_can_follow_the_grants_down_the_subtree():
    scope = Scope(7, False, 3, {Perm.MEMBERS_VIEW: (TOWN,), Perm.DUES_MANAGE: (VILLAGE,)})
    assert scope.has(Perm.MEMBERS_VIEW) and scope.has(Perm.DUES_MANAGE)
    assert not scope.has(Perm.POSTS_MANAGE)
    assert scope.can(Perm.MEMBERS_VIEW, org(VILLAGE)) and scope.can(Perm.MEMBERS_VIEW, org(TOWN))
    assert scope.can(Perm.DUES_MANAGE, org(VILLAGE))
    assert not scope.can(Perm.DUES_MANAGE, org(OTHER))  # a sibling is not below
    assert not scope.can(Perm.DUES_MANAGE, org(TOWN))  # nor is the parent
    assert not scope.can(Perm.MEMBERS_VIEW, org("0002"))
    assert scope.manages_orgs and scope.covers_org(org(OTHER))


def test_a_member_without_a_post_has_nothing_but_themselves():
    scope = Scope(7, False, 3)
    assert not scope.has(Perm.MEMBERS_VIEW) and not scope.manages_orgs
    assert not scope.can(Perm.MEMBERS_VIEW, org(VILLAGE))


def test_the_administrator_may_everything_everywhere():
    scope = Scope(1, True, None)
    assert all(scope.has(p) for p in Perm)
    assert scope.can(Perm.POSTS_MANAGE, org("0009"))


def test_require_refuses_in_chinese_outside_the_grant(db):
    scope = Scope(None, False, None, {Perm.DUES_MANAGE: (VILLAGE,)})
    scope.require(Perm.DUES_MANAGE, org(VILLAGE))
    scope.require(Perm.DUES_MANAGE)  # anywhere
    with pytest.raises(AccessDenied, match="无权"):
        scope.require(Perm.DUES_MANAGE, org(OTHER), message="无权办理该支部的党费。")
    with pytest.raises(AccessDenied, match="权限"):
        scope.require(Perm.POSTS_MANAGE)


def test_require_asks_for_the_password_where_the_permission_needs_it(in_alpha):
    admin = user("admin")
    scope = scope_for(admin)
    with pytest.raises(ApplicationError, match="密码不正确") as refused:
        scope.require(Perm.MEMBERS_STATUS, org(VILLAGE), password="wrong")
    assert refused.value.field == "password"
    with pytest.raises(ApplicationError, match="密码"):
        scope.require(Perm.MEMBERS_STATUS, org(VILLAGE))
    scope.require(Perm.MEMBERS_STATUS, org(VILLAGE), password=PASSWORD)
    scope.require(Perm.MEMBERS_VIEW, org(VILLAGE))  # no password for an ordinary one


def test_the_system_scope_acts_everywhere_without_a_password(db):
    system = Scope.system()
    assert system.is_admin and system.user_id is None and system.member_id is None
    assert system.has(Perm.MEMBERS_STATUS)
    system.require(Perm.MEMBERS_STATUS, org(VILLAGE))  # no user, no password to ask


@pytest.mark.parametrize(
    ("paths", "kept"),
    [
        ({"0001", "00010001", "00010002"}, ("0001",)),
        ({"00010001", "00010002"}, ("00010001", "00010002")),
        ({"00010001", "000100010003", "0002"}, ("0002", "00010001")),
        (set(), ()),
    ],
)
def test_minimal_paths_drop_what_a_wider_grant_covers(paths, kept):
    assert minimal(paths) == tuple(sorted(kept))


# --- The catalogue and the grants --------------------------------------------------------


def test_the_perm_constants_are_the_seeded_catalogue(db):
    assert {p.value for p in Perm} == set(Permission.objects.values_list("code", flat=True))


def test_every_default_grant_names_a_known_permission(db):
    known = set(Permission.objects.values_list("code", flat=True))
    assert set(PostGrant.objects.values_list("permission", flat=True)) <= known
    assert Perm.NOTICES_PUBLISH in default_grants()["publicity"]
    assert Perm.MEMBERS_STATUS not in default_grants()["publicity"]


def test_a_county_override_adds_and_removes_from_the_default(in_alpha):
    # 三员分立: the security administrator sets post permissions.
    admin_scope, admin = scope_for(user("anquan")), user("anquan")
    post_grant_set(
        scope=admin_scope,
        post_code="publicity",
        permission=Perm.MEMBERS_VIEW,
        granted=False,
        reason="县委组织部文件",
        actor=admin,
    )
    post_grant_set(
        scope=admin_scope,
        post_code="publicity",
        permission=Perm.STATS_VIEW,
        granted=True,
        reason="县委组织部文件",
        actor=admin,
    )
    carried = effective_grants()["publicity"]
    assert Perm.MEMBERS_VIEW not in carried and Perm.STATS_VIEW in carried
    assert Perm.NOTICES_PUBLISH in carried
    # Back to the default: the override row goes.
    post_grant_set(
        scope=admin_scope,
        post_code="publicity",
        permission=Perm.MEMBERS_VIEW,
        granted=True,
        reason="",
        actor=admin,
    )
    assert Perm.MEMBERS_VIEW in effective_grants()["publicity"]
    assert list(PostGrantOverride.objects.values_list("permission", flat=True)) == [Perm.STATS_VIEW]


def test_only_the_security_administrator_sets_grants_and_always_with_a_reason(in_alpha):
    for name in ("branchsec", "admin", "shenji"):  # a post holder, the county administrator, …
        with pytest.raises(AccessDenied, match="安全管理员"):
            post_grant_set(
                scope=scope_for(user(name)),
                post_code="publicity",
                permission=Perm.STATS_VIEW,
                granted=True,
                reason="自行调整",
                actor=user(name),
            )
    admin = user("anquan")
    with pytest.raises(ApplicationError, match="调整依据") as refused:
        post_grant_set(
            scope=scope_for(admin),
            post_code="publicity",
            permission=Perm.STATS_VIEW,
            granted=True,
            reason="  ",
            actor=admin,
        )
    assert refused.value.field == "reason"
    for post_code, permission in (("chairman", Perm.STATS_VIEW), ("publicity", "posts.everything")):
        with pytest.raises(ApplicationError, match="未知"):
            post_grant_set(
                scope=scope_for(admin),
                post_code=post_code,
                permission=permission,
                granted=True,
                reason="文件",
                actor=admin,
            )
    assert not PostGrantOverride.objects.exists()


def test_scope_for_a_post_holder_is_the_post_subtree_with_its_permissions(in_alpha):
    village = Organization.objects.get(name__endswith="某村党支部")
    scope = scope_for(user("branchsec"))
    assert scope.paths(Perm.POSTS_MANAGE) == (village.path,)
    assert scope.member_id == Member.objects.get(user__username="branchsec").pk
    member = scope_for(user("member"))
    assert member.grants == {} and member.member_id is not None


# --- visible_to on an organization-owned model -----------------------------------------


def test_posts_are_visible_by_subtree_plus_the_users_own(in_alpha):
    town = Organization.objects.get(name__endswith="某镇党委")
    village = Organization.objects.get(name__endswith="某村党支部")
    other = Organization.objects.get(name__endswith="另一村党支部")
    zhao = Member.objects.get(name="赵其他")
    mine = Member.objects.get(user__username="member")
    in_other = Post.objects.create(
        org=other, member=zhao, post_code="secretary", started_at=date(2024, 1, 1)
    )
    own_elsewhere = Post.objects.create(
        org=other, member=mine, post_code="publicity", started_at=date(2024, 1, 1)
    )
    every = set(Post.objects.values_list("pk", flat=True))

    admin = scope_for(user("admin"))
    assert set(Post.objects.visible_to(admin).values_list("pk", flat=True)) == every

    townsec = scope_for(user("townsec"))
    assert set(Post.objects.visible_to(townsec).values_list("pk", flat=True)) == every

    branchsec = scope_for(user("branchsec"))
    seen = set(Post.objects.visible_to(branchsec).values_list("pk", flat=True))
    assert seen == set(Post.objects.filter(org=village).values_list("pk", flat=True))
    assert in_other.pk not in seen and not Post.objects.filter(org=town).filter(pk__in=seen)

    # The member's own post is theirs to see; with it they see their (other) branch too.
    member = scope_for(user("member"))
    seen = set(Post.objects.visible_to(member).values_list("pk", flat=True))
    assert own_elsewhere.pk in seen and in_other.pk in seen
    # ... but not to act on: publicity carries no posts.manage.
    acting = set(Post.objects.visible_to(member, Perm.POSTS_MANAGE).values_list("pk", flat=True))
    assert acting == {own_elsewhere.pk}


def test_posts_of_a_dissolved_organization_are_seen_by_the_administrator_only(in_alpha):
    other = Organization.objects.get(name__endswith="另一村党支部")
    post = Post.objects.create(
        org=other,
        member=Member.objects.get(name="赵其他"),
        post_code="secretary",
        started_at=date(2024, 1, 1),
    )
    Organization.objects.filter(pk=other.pk).update(is_active=False)
    assert Post.objects.visible_to(scope_for(user("admin"))).filter(pk=post.pk).exists()
    townsec = scope_for(user("townsec"))
    assert not Post.objects.visible_to(townsec).filter(pk=post.pk).exists()
