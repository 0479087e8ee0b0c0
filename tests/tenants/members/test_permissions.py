"""Permissions per post (职务权限), with the real seeded grants
(shared/standards/data/post_permissions.json), in both test counties: what 宣传委员,
纪检委员, 组织委员, 党小组长 and an ordinary member may see and do with the member
database, a county's own adjustment of a post, and a status change that ends the
member's posts and login in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign, post_grant_set
from tenants.members.models import Member, StatusAction
from tenants.members.record_services import record_add
from tenants.members.services import member_change_status, member_create, member_update
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.conftest import logged_in
from tests.support.names import chinese_number
from tests.support.world import ALPHA, BETA, PASSWORD, County
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pii.idnumber import make_id_number

pytestmark = pytest.mark.django_db

COUNTIES = {"alpha": ALPHA, "beta": BETA}


@pytest.fixture(params=sorted(COUNTIES))
def county(request, db) -> County:  # type: ignore[no-untyped-def]
    return COUNTIES[request.param]


@dataclass(frozen=True)
class Person:
    username: str
    member_id: int


def _branch(county: County) -> Organization:
    return Organization.objects.get(name=f"{county.name}某村党支部")


def person(county: County, post_code: str | None, *, seq: int, org: Organization) -> Person:
    """A member of 某村党支部 with a login and (if given) a post in ``org``."""
    username = f"p{seq}"
    birth = date(1985, 4, seq % 28 + 1)
    member = member_create(
        scope=Scope.system(),
        data=MemberData(
            org=_branch(county),
            name=f"职务测试{chinese_number(seq)}",
            id_number=make_id_number(county.region_code, birth, seq, "male"),
            ethnicity_code="01",
            category_code="full",
            joined_at=date(2010, 7, 1),
            full_member_at=date(2011, 7, 1),
            education_code="21",
        ),
    )
    member.user = user_create(
        username=username, full_name=member.name, password=PASSWORD, role=User.Role.MEMBER
    )
    member.save(update_fields=["user"])
    if post_code:
        post_assign(
            scope=Scope.system(),
            org=org,
            member=member,
            post_code=post_code,
            started_at=date(2022, 1, 1),
        )
    return Person(username, member.pk)


def _names(client) -> set[str]:  # type: ignore[no-untyped-def]
    return {m["name"] for m in client.get("/api/members/").json()["results"]}


def _ids(county: County) -> dict[str, int]:
    return dict(Member.objects.values_list("name", "id"))


def _data(member: Member, **changes: object) -> MemberData:
    values = {f: getattr(member, f) for f in MemberData.field_names()}
    values.update(changes)
    return MemberData(**values)  # type: ignore[arg-type]


def _in(county: County):  # type: ignore[no-untyped-def]
    return schema_context(county.schema)


def test_publicity_sees_the_branch_but_cannot_edit(county):
    with _in(county):
        p = person(county, "publicity", seq=301, org=_branch(county))
        ids = _ids(county)
        branchsec = ids["李支书"]
        outside = ids["赵其他"]
    connection.set_schema_to_public()
    client = logged_in(county.host, p.username)
    seen = _names(client)
    assert {"李支书", "王书记", f"{county.name}党员"} <= seen and "赵其他" not in seen
    assert client.get("/members/").status_code == 200
    assert client.get(f"/members/{branchsec}/").status_code == 200
    assert client.get(f"/members/{outside}/").status_code == 404
    for url in (
        "/members/new/",
        f"/members/{branchsec}/edit/",
        f"/members/{branchsec}/status/",
        f"/members/{branchsec}/records/jobs/add/",
        "/members/proposals/",
        "/stats/",
        f"/orgs/{_org_id(county, '某村党支部')}/rename/",
    ):
        assert client.get(url).status_code == 403, url
    with _in(county):
        m = Member.objects.get(pk=branchsec)
        body = {
            "org": m.org_id,
            "name": m.name,
            "id_number": m.id_number,
            "ethnicity_code": m.ethnicity_code,
            "category_code": m.category_code,
            "joined_at": m.joined_at.isoformat(),
            "full_member_at": m.full_member_at.isoformat(),
            "job_title": "改",
        }
    refused = client.put(f"/api/members/{branchsec}/", body, content_type="application/json")
    assert refused.status_code == 403, refused.content
    with _in(county):
        scope = scope_for(User.objects.get(username=p.username))
        member = Member.objects.get(pk=branchsec)
        with pytest.raises(AccessDenied):
            member_update(scope=scope, member=member, data=_data(member, job_title="改"))
        assert Member.objects.get(pk=branchsec).job_title != "改"


def _org_id(county: County, suffix: str) -> int:
    with _in(county):
        return Organization.objects.get(name=f"{county.name}{suffix}").pk


def test_discipline_reads_and_sees_statistics_but_does_not_edit(county):
    with _in(county):
        p = person(county, "discipline", seq=302, org=_branch(county))
        branchsec = _ids(county)["李支书"]
    client = logged_in(county.host, p.username)
    assert client.get("/members/").status_code == 200
    assert client.get(f"/members/{branchsec}/").status_code == 200
    assert client.get("/stats/").status_code == 200
    assert client.get("/stats/api/").status_code == 200
    assert client.get("/stats/export.xlsx").status_code == 200
    assert client.get(f"/members/{branchsec}/edit/").status_code == 403
    assert client.get(f"/members/{branchsec}/status/").status_code == 403
    with _in(county):
        scope = scope_for(User.objects.get(username=p.username))
        assert scope.has(Perm.STATS_VIEW) and not scope.has(Perm.MEMBERS_EDIT)
        with pytest.raises(AccessDenied):
            record_add(
                scope=scope,
                member=Member.objects.get(pk=branchsec),
                slug="family",
                data={"relation": "配偶", "name": "某某"},
            )


def test_organization_committee_edits_and_changes_status_only_with_the_password(county):
    with _in(county):
        p = person(county, "organization", seq=303, org=_branch(county))
        ids = _ids(county)
        target, outside = ids[f"{county.name}党员"], ids["赵其他"]
    client = logged_in(county.host, p.username)
    assert client.get(f"/members/{target}/edit/").status_code == 200
    assert client.get(f"/members/{target}/status/").status_code == 200
    assert client.get(f"/members/{outside}/edit/").status_code == 404  # outside the branch
    with _in(county):
        user = User.objects.get(username=p.username)
        scope = scope_for(user)
        member = Member.objects.get(pk=target)
        member_update(scope=scope, member=member, data=_data(member, job_title="会计"))
        assert Member.objects.get(pk=target).job_title == "会计"
        change = {
            "scope": scope,
            "member": member,
            "action": StatusAction.LOST_CONTACT,
            "effective_date": timezone.localdate(),
            "reason": "长期联系不上",
            "actor": user,
            "lost_contact_code": "missing",
        }
        for password in (None, "wrong-password"):
            with pytest.raises(ApplicationError, match="密码") as refused:
                member_change_status(**change, password=password)
            assert not isinstance(refused.value, AccessDenied)
        assert not Member.objects.get(pk=target).lost_contact
        member_change_status(**change, password=PASSWORD)
        assert Member.objects.get(pk=target).lost_contact
        with pytest.raises(AccessDenied):
            member_change_status(
                **{**change, "member": Member.objects.get(pk=outside)}, password=PASSWORD
            )


def test_group_leader_sees_only_the_group(county):
    with _in(county):
        group = org_create(
            scope=Scope.system(), parent=_branch(county), name="第一党小组", type_code="group"
        )
        p = person(county, "group_leader", seq=304, org=Organization.objects.get(pk=group.pk))
        scope = scope_for(User.objects.get(username=p.username))
        assert list(Organization.objects.visible_to(scope).values_list("pk", flat=True)) == [
            group.pk
        ]
        # Members belong to the branch, not to the group: the leader sees their own record.
        assert set(Member.objects.visible_to(scope).values_list("pk", flat=True)) == {p.member_id}
        branchsec = _ids(county)["李支书"]
        branch_id = _branch(county).pk
    client = logged_in(county.host, p.username)
    assert client.get(f"/orgs/{group.pk}/").status_code == 200
    assert client.get(f"/orgs/{branch_id}/").status_code == 404
    assert client.get(f"/members/{branchsec}/").status_code == 404
    assert client.get(f"/members/{p.member_id}/").status_code == 200
    assert client.get(f"/members/{p.member_id}/edit/").status_code == 403


def test_an_ordinary_member_sees_only_their_own_record(county):
    with _in(county):
        ids = _ids(county)
        own = Member.objects.get(user__username="member").pk
    client = logged_in(county.host, "member")
    assert _names(client) == {f"{county.name}党员"}
    assert client.get("/members/")["Location"] == "/members/me/"
    assert client.get(f"/members/{own}/").status_code == 200
    for name, member_id in ids.items():
        if member_id != own:
            assert client.get(f"/members/{member_id}/").status_code == 404, name
    for url in ("/stats/", "/orgs/", f"/members/{own}/edit/", "/members/proposals/"):
        assert client.get(url).status_code == 403, url


def test_a_county_override_taking_members_edit_from_the_organization_committee(alpha, beta):
    people = {}
    for county in (ALPHA, BETA):
        with _in(county):
            people[county.schema] = person(county, "organization", seq=305, org=_branch(county))
    with _in(ALPHA):
        admin = User.objects.get(username="anquan")  # the security administrator's duty
        post_grant_set(
            scope=scope_for(admin),
            post_code="organization",
            permission=Perm.MEMBERS_EDIT,
            granted=False,
            reason="本县由书记统一维护党员信息",
            actor=admin,
        )
        scope = scope_for(User.objects.get(username=people["alpha"].username))
        assert not scope.has(Perm.MEMBERS_EDIT) and scope.has(Perm.MEMBERS_STATUS)
        target = Member.objects.get(name=f"{ALPHA.name}党员")
        with pytest.raises(AccessDenied):
            member_update(scope=scope, member=target, data=_data(target, job_title="改"))
    alpha_client = logged_in(ALPHA.host, people["alpha"].username)
    assert alpha_client.get(f"/members/{target.pk}/edit/").status_code == 403
    assert alpha_client.get(f"/members/{target.pk}/").status_code == 200  # still reads
    # The other county keeps the city default.
    with _in(BETA):
        beta_target = Member.objects.get(name=f"{BETA.name}党员").pk
    beta_client = logged_in(BETA.host, people["beta"].username)
    assert beta_client.get(f"/members/{beta_target}/edit/").status_code == 200


def test_leaving_the_party_ends_posts_and_login_in_the_same_transaction(county):
    with _in(county):
        p = person(county, "organization", seq=306, org=_branch(county))
        admin = User.objects.get(username="admin")
        member = Member.objects.get(pk=p.member_id)
        leave = {
            "scope": scope_for(admin),
            "member": member,
            "action": StatusAction.LEAVE,
            "effective_date": timezone.localdate(),
            "reason": "自行脱党",
            "actor": admin,
            "password": PASSWORD,
        }

        def state() -> tuple[bool, bool]:
            active_post = Post.objects.filter(member=member, ended_at__isnull=True).exists()
            return active_post, User.objects.get(username=p.username).is_active

        class Undo(Exception):
            pass

        with pytest.raises(Undo), transaction.atomic():
            member_change_status(**leave)
            assert state() == (False, False)
            raise Undo
        assert state() == (True, True)  # rolled back together: both stay
        member_change_status(**leave)
        assert state() == (False, False)
        assert Member.objects.get(pk=p.member_id).party_status_code == "left"
    response = _login(county, p.username)
    assert response.status_code == 200  # the form again: the login is disabled


def _login(county: County, username: str):  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client(HTTP_HOST=county.host).post(
        "/accounts/login/", {"username": username, "password": PASSWORD}
    )
