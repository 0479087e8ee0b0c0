"""Development on the access layer (issue 16): who sees and does what, by post.

Two counties; in alpha the administrator, the branch secretary (书记: development.manage
and development.approve), a 组织员 (organizer: development.manage only), a 宣传委员
(publicity: no development work, 403) and an applicant with their own login (only their
own record). The approval decisions (steps 17 and 24) need development.approve over a
committee with approval authority and the password again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.models import Post
from tenants.access.scope import Scope, scope_for
from tenants.development.models import (
    DevelopmentRecord,
    StepDocument,
    StepEntry,
)
from tenants.development.services import (
    StepInput,
    development_record_link_user,
    record_create,
    step_record,
    step_review,
)
from tenants.development.steps import add_months
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from tests.tenants.development.path import (
    World,
    applied,
    person,
    step_input,
    uploads,
    walk,
    world,
)
from zhdj.errors import AccessDenied, ApplicationError


def _post(username: str, name: str, post_code: str, org: Organization) -> User:
    """A login for member ``name`` holding ``post_code`` in ``org`` from today."""
    member = Member.objects.get(name=name)
    if member.user is None:
        member.user = user_create(
            username=username, full_name=name, password=PASSWORD, role=User.Role.MEMBER
        )
        member.save(update_fields=["user"])
    Post.objects.create(org=org, member=member, post_code=post_code, started_at=date(2024, 1, 1))
    return member.user


def _applicant(record: DevelopmentRecord, w: World, username: str = "applicant_m") -> User:
    user = user_create(
        username=username, full_name=record.name, password=PASSWORD, role=User.Role.APPLICANT
    )
    development_record_link_user(scope=w.branch_scope, record=record, user=user)
    return user


@pytest.fixture
def matrix(w):  # type: ignore[no-untyped-def]
    """A record in 某村党支部 (step 2 done) with its applicant's login, a second applicant's
    record in 另一村党支部, the 组织员 and the 宣传委员 of 某村党支部."""
    record, dates = walk(w, start=add_months(timezone.localdate(), -5), until=2)
    _applicant(record, w)
    other = record_create(
        scope=scope_for(w.admin),
        person=person(Organization.objects.get(name__endswith="另一村党支部"), seq=57),
        step=StepInput(done_on=timezone.localdate() - timedelta(days=3), uploads=uploads(1)),
        actor=w.admin,
    )
    _post("organizer1", "赵其他", "organizer", w.village)
    _post("member", "榆阳区党员", "publicity", w.village)
    return record, other, dates


# (user, board, own record page, other branch's record page, step page, API)
EXPECTED = [
    ("admin", 200, 200, 200, 200, 200),
    ("branchsec", 200, 200, 404, 200, 200),
    ("organizer1", 200, 200, 404, 200, 200),
    ("member", 403, 404, 404, 403, 403),  # 宣传委员: no development work
    ("applicant_m", 403, 200, 404, 403, 403),  # the applicant: their own record only
]


def test_the_pages_follow_the_posts(matrix, alpha):
    record, other, _ = matrix
    connection.set_schema_to_public()
    for username, board, mine, theirs, step, api in EXPECTED:
        client = logged_in(alpha.host, username)
        got = (
            client.get("/development/").status_code,
            client.get(f"/development/records/{record.pk}/").status_code,
            client.get(f"/development/records/{other.pk}/").status_code,
            client.get(f"/development/records/{record.pk}/steps/3/").status_code,
            client.get("/api/development/").status_code,
        )
        assert got == (board, mine, theirs, step, api), username


def test_the_applicant_sees_only_their_own_record_everywhere(matrix, alpha):
    record, other, _ = matrix
    user = User.objects.get(username="applicant_m")
    scope = scope_for(user)
    assert list(DevelopmentRecord.objects.visible_to(scope)) == [record]
    assert set(StepEntry.objects.visible_to(scope).values_list("record_id", flat=True)) == {
        record.pk
    }
    theirs = StepDocument.objects.filter(entry__record=other).first()
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "applicant_m")
    page = client.get("/development/mine/").content.decode()
    assert record.name in page and "第 3 步" in page
    assert client.get(f"/development/records/{record.pk}/export.pdf").status_code == 200
    assert client.get(f"/development/records/{other.pk}/export.pdf").status_code == 404
    assert client.get(f"/development/documents/{theirs.pk}/").status_code == 404


def test_the_organizer_lists_only_their_branch_and_the_publicity_member_nothing(matrix):
    record, other, _ = matrix
    organizer = scope_for(User.objects.get(username="organizer1"))
    publicity = scope_for(User.objects.get(username="member"))
    admin = scope_for(User.objects.get(username="admin"))
    assert set(DevelopmentRecord.objects.visible_to(organizer)) == {record}
    assert not DevelopmentRecord.objects.visible_to(publicity).exists()
    assert set(DevelopmentRecord.objects.visible_to(admin)) == {record, other}


def test_another_county_sees_none_of_alpha(matrix, alpha, beta):
    record, _, _ = matrix
    connection.set_schema_to_public()
    client = logged_in(beta.host, "admin")
    assert client.get(f"/development/records/{record.pk}/").status_code == 404
    assert client.get("/api/development/").json()["count"] == 0


def test_write_services_check_development_manage(matrix):
    record, _, dates = matrix
    publicity = scope_for(User.objects.get(username="member"))
    organizer = scope_for(User.objects.get(username="organizer1"))
    w = world()
    with pytest.raises(AccessDenied):
        step_record(
            scope=publicity,
            record=record,
            number=3,
            data=step_input(w, 3, dates[3], dates),
            actor=w.branchsec,
        )
    entry = step_record(
        scope=organizer,
        record=record,
        number=3,
        data=step_input(w, 3, dates[3], dates),
        actor=User.objects.get(username="organizer1"),
    )
    assert entry.state == StepEntry.State.DONE


# --- linking the applicant's login ----------------------------------------------------


def test_linking_a_login_needs_development_manage_over_the_branch(w):
    record = applied(w, timezone.localdate() - timedelta(days=2))
    user = user_create(
        username="applicant_l", full_name="陈发展", password=PASSWORD, role=User.Role.APPLICANT
    )
    _post("member", "榆阳区党员", "publicity", w.village)
    with pytest.raises(AccessDenied):
        development_record_link_user(
            scope=scope_for(User.objects.get(username="member")), record=record, user=user
        )
    development_record_link_user(scope=w.branch_scope, record=record, user=user)
    record.refresh_from_db()
    assert record.user_id == user.pk
    # Again with the same login: nothing to do; the platform (logins) may call it too.
    development_record_link_user(scope=Scope.system(), record=record, user=user)


def test_a_login_links_to_one_record_of_the_right_role(w):
    record = applied(w, timezone.localdate() - timedelta(days=2))
    member_login = User.objects.get(username="member")
    with pytest.raises(ApplicationError, match="不是入党申请人账号") as exc:
        development_record_link_user(scope=w.branch_scope, record=record, user=member_login)
    assert exc.value.field == "user"
    user = _applicant(record, w, "applicant_a")
    second = applied(w, timezone.localdate() - timedelta(days=1), seq=59)
    with pytest.raises(ApplicationError, match="已关联其他发展对象"):
        development_record_link_user(scope=w.branch_scope, record=second, user=user)
    other = user_create(
        username="applicant_b", full_name="陈发展", password=PASSWORD, role=User.Role.APPLICANT
    )
    with pytest.raises(ApplicationError, match="已关联其他登录账号"):
        development_record_link_user(scope=w.branch_scope, record=record, user=other)


# --- approval decisions: development.approve and the password -------------------------


def _at_17(w: World) -> tuple[DevelopmentRecord, dict, StepEntry]:
    record, dates = walk(w, start=add_months(timezone.localdate(), -36), until=16)
    entry = step_record(
        scope=w.branch_scope,
        record=record,
        number=17,
        data=step_input(w, 17, dates[17], dates),
        actor=w.branchsec,
    )
    return record, dates, entry


def test_admitting_a_probationary_member_needs_the_password(w):
    record, dates, entry = _at_17(w)
    members = Member.objects.count()
    for password in (None, "", "wrong#Pass1"):
        with pytest.raises(ApplicationError, match="密码不正确") as exc:
            step_review(
                scope=w.town_scope,
                entry=entry,
                approve=True,
                actor=w.townsec,
                decided_on=dates[17],
                password=password,
            )
        assert exc.value.field == "password"
    entry.refresh_from_db()
    assert entry.state == StepEntry.State.PENDING and Member.objects.count() == members
    step_review(
        scope=w.town_scope,
        entry=entry,
        approve=True,
        actor=w.townsec,
        decided_on=dates[17],
        password=PASSWORD,
    )
    record.refresh_from_db()
    assert record.status == "probationary" and record.member_id is not None


def test_an_organizer_of_the_committee_passes_a_filing(w):
    organizer = _post("organizer1", "赵其他", "organizer", w.town)
    record, dates = walk(w, start=add_months(timezone.localdate(), -36), until=3)
    filing = step_record(
        scope=w.branch_scope,
        record=record,
        number=4,
        data=step_input(w, 4, dates[4], dates),
        actor=w.branchsec,
    )
    passed = step_review(
        scope=scope_for(organizer), entry=filing, approve=True, actor=organizer, decided_on=dates[4]
    )
    assert passed.state == StepEntry.State.DONE


def test_an_organizer_of_the_committee_does_not_approve(w):
    organizer = _post("organizer1", "赵其他", "organizer", w.town)
    _, dates, entry = _at_17(w)
    with pytest.raises(AccessDenied, match="无权"):
        step_review(
            scope=scope_for(organizer),
            entry=entry,
            approve=True,
            actor=organizer,
            decided_on=dates[17],
            password=PASSWORD,
        )
    entry.refresh_from_db()
    assert entry.state == StepEntry.State.PENDING


def test_the_review_page_asks_for_the_password_on_approvals(w, alpha):
    _, dates, entry = _at_17(w)
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "townsec")
    page = client.get("/development/review/").content.decode()
    assert "请输入您的登录密码" in page
    url = f"/development/review/{entry.pk}/pass/"
    decided = dates[17].isoformat()
    refused = client.post(url, {"decided_on": decided}, follow=True).content.decode()
    assert "密码不正确" in refused
    with schema_context(alpha.schema):
        assert StepEntry.objects.get(pk=entry.pk).state == StepEntry.State.PENDING
    client.post(url, {"decided_on": decided, "password": PASSWORD})
    with schema_context(alpha.schema):
        assert StepEntry.objects.get(pk=entry.pk).state == StepEntry.State.DONE
