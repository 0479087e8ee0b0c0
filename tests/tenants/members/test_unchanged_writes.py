"""Writes record what happened: an unchanged save is no change in the audit trail (the
encrypted columns keep their stored token unless their plaintext changed)."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from shared.accounts.models import User
from tenants.members.services import member_change_status, member_create, member_update
from tests.support.world import PASSWORD
from tests.tenants.members.conftest import data

MemberEvent = apps.get_model("members", "MemberEvent")


def _tokens(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address FROM members_member WHERE id = %s", [pk])
        return cursor.fetchone()


def _diffs(pk: int) -> list[dict]:
    events = MiddlewareEvents.objects.across(MemberEvent).filter(pgh_obj_id=pk)
    return [e.pgh_diff or {} for e in events.order_by("pgh_id")]


def test_an_unchanged_update_writes_nothing(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    events, tokens = MemberEvent.objects.filter(pgh_obj_id=member.pk).count(), _tokens(member.pk)
    member_update(scope=admin_scope, member=member, data=data(village))
    assert MemberEvent.objects.filter(pgh_obj_id=member.pk).count() == events
    assert _tokens(member.pk) == tokens


def test_changing_the_phone_records_the_phone_only(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    id_token, _, address_token = _tokens(member.pk)
    member_update(scope=admin_scope, member=member, data=data(village, phone="13800001111"))
    diffs = _diffs(member.pk)
    assert len(diffs) == 2  # the insert and this update
    assert set(diffs[-1]) == {"phone", "phone_index", "updated_at"}
    after = _tokens(member.pk)
    assert (after[0], after[2]) == (id_token, address_token)


def test_a_status_change_does_not_touch_the_personal_data(admin_scope, village):
    member = member_create(scope=admin_scope, data=data(village))
    member_change_status(
        scope=admin_scope,
        member=member,
        action="suspend",
        effective_date=timezone.localdate(),
        reason="长期不参加组织生活",
        actor=User.objects.get(username="admin"),
        password=PASSWORD,
    )
    assert set(_diffs(member.pk)[-1]) == {"party_status_code", "updated_at"}
