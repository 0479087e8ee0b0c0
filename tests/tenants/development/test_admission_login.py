"""Step 17 approved: the applicant's login becomes the new probationary member's login
(role 入党申请人 → 党员) in the same transaction; a return or a refusal changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.development.models import DevelopmentRecord, StepEntry
from tenants.development.services import step_record, step_review
from tenants.development.steps import add_months
from tenants.members.models import Member
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from tests.tenants.development.path import World, step_input, walk
from zhdj.errors import ApplicationError


def _start() -> date:
    return add_months(timezone.localdate(), -36)


def _applicant_at_16(w: World) -> tuple[DevelopmentRecord, dict, User, StepEntry]:
    record, dates = walk(w, start=_start(), until=16)
    user = user_create(
        username="applicant17", full_name="陈发展", password=PASSWORD, role=User.Role.APPLICANT
    )
    DevelopmentRecord.objects.filter(pk=record.pk).update(user=user)
    record.refresh_from_db()
    entry = step_record(
        scope=w.branch_scope,
        record=record,
        number=17,
        data=step_input(w, 17, dates[17], dates),
        actor=w.branchsec,
    )
    assert entry.state == StepEntry.State.PENDING
    return record, dates, user, entry


def test_approval_of_step_17_makes_the_applicants_login_the_members_login(w):
    record, dates, user, entry = _applicant_at_16(w)
    assert not Member.objects.filter(user=user).exists()

    step_review(
        scope=w.town_scope,
        entry=entry,
        approve=True,
        actor=w.townsec,
        decided_on=dates[17],
        password=PASSWORD,
    )

    user.refresh_from_db()
    record.refresh_from_db()
    member = Member.objects.get(user=user)
    assert user.role == User.Role.MEMBER
    assert record.member_id == member.pk and record.user_id == user.pk
    assert member.category_code == "probationary"


def test_a_returned_step_17_leaves_the_login_an_applicant(w):
    record, _, user, entry = _applicant_at_16(w)

    step_review(
        scope=w.town_scope,
        entry=entry,
        approve=False,
        actor=w.townsec,
        reason="材料不全",
        password=PASSWORD,
    )

    user.refresh_from_db()
    record.refresh_from_db()
    assert user.role == User.Role.APPLICANT
    assert record.member_id is None
    assert not Member.objects.filter(user=user).exists()


def test_a_refused_approval_changes_neither_login_nor_member_database(w):
    _, dates, user, entry = _applicant_at_16(w)
    too_late = add_months(dates[15], 6) + timedelta(days=1)  # 6 months at most after step 15
    members_before = Member.objects.count()

    with pytest.raises(ApplicationError):
        step_review(
            scope=w.town_scope,
            entry=entry,
            approve=True,
            actor=w.townsec,
            decided_on=too_late,
            password=PASSWORD,
        )

    user.refresh_from_db()
    entry.refresh_from_db()
    assert user.role == User.Role.APPLICANT
    assert entry.state == StepEntry.State.PENDING
    assert Member.objects.count() == members_before
    assert not Member.objects.filter(user=user).exists()


def test_a_login_already_linked_to_a_member_refuses_the_approval_and_changes_nothing(w):
    _, dates, user, entry = _applicant_at_16(w)
    other = Member.objects.get(name="赵其他")
    Member.objects.filter(pk=other.pk).update(user=user)
    members_before = Member.objects.count()

    with pytest.raises(ApplicationError, match="已关联其他党员") as exc:
        step_review(
            scope=w.town_scope,
            entry=entry,
            approve=True,
            actor=w.townsec,
            decided_on=dates[17],
            password=PASSWORD,
        )

    assert exc.value.field == "user"
    user.refresh_from_db()
    assert user.role == User.Role.APPLICANT
    assert Member.objects.count() == members_before


def test_the_admitted_member_sees_member_pages_and_still_their_timeline(w, alpha):
    record, dates, user, entry = _applicant_at_16(w)
    step_review(
        scope=w.town_scope,
        entry=entry,
        approve=True,
        actor=w.townsec,
        decided_on=dates[17],
        password=PASSWORD,
    )
    member = Member.objects.get(user=user)
    connection.set_schema_to_public()

    client = logged_in(alpha.host, "applicant17")
    me = client.get("/members/me/")
    assert me.status_code == 302 and me["Location"].endswith(f"/members/{member.pk}/")
    assert client.get(me["Location"]).status_code == 200
    mine = client.get("/development/mine/").content.decode()
    assert "预备党员" in mine and "第 18 步" in mine
    assert client.get(f"/development/records/{record.pk}/").status_code == 200
    assert client.get(f"/development/records/{record.pk}/export.pdf").status_code == 200
    assert client.get("/development/").status_code == 403
