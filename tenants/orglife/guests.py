"""Guests of a meeting (列席): members flowing in from another county of the city whom
the county assigned to the meeting's branch (``tenants.flowing.inflows``). The
secretary adds them and marks them present; they are kept apart from the attendance
(``Attendance``), so they never count among the expected, never reach a ballot's roll
and never vote (domain-rules §8: no vote, no right to elect or be elected)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing.models import Inflow
from tenants.orglife.models import Meeting, MeetingGuest
from tenants.orglife.services import checkin_opens_before
from zhdj.errors import ApplicationError


def _require(scope: Scope, meeting: Meeting) -> None:
    scope.require(Perm.ORGLIFE_MANAGE, meeting.org, message="您没有管理该组织组织生活的权限。")


def guest_candidates(meeting: Meeting) -> QuerySet[Inflow]:
    """Inflow members assigned to the meeting's branch, not yet on its guest list."""
    return (
        Inflow.objects.filter(org_id=meeting.org_id, state=Inflow.State.PLACED)
        .exclude(pk__in=meeting.guests.values("inflow_id"))
        .order_by("name", "pk")
    )


@transaction.atomic
def guest_add(
    *, scope: Scope, meeting: Meeting, inflow_id: int, actor: User | None
) -> MeetingGuest:
    """Add an inflow member of the branch to the meeting's guests (列席)."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(scope, meeting)
    if not meeting.is_open:
        raise ApplicationError(f"会议{meeting.get_status_display()}，不能再修改。")
    inflow = guest_candidates(meeting).filter(pk=inflow_id).first()
    if inflow is None:
        raise ApplicationError("请选择安排在本支部的流入党员。", field="inflow")
    return MeetingGuest.objects.create(meeting=meeting, inflow=inflow)


@transaction.atomic
def guests_mark(
    *, scope: Scope, meeting: Meeting, present_ids: set[int], actor: User | None
) -> int:
    """The secretary marks which guests came; returns how many are present."""
    _require(scope, meeting)
    if not meeting.is_open:
        raise ApplicationError(f"会议{meeting.get_status_display()}，不能再修改。")
    if meeting.starts_at > timezone.now() + checkin_opens_before():
        raise ApplicationError("会议尚未开始，不能登记出席。")
    rows = MeetingGuest.objects.filter(meeting=meeting)
    now = timezone.now()
    rows.filter(pk__in=present_ids, present=False).update(
        present=True, marked_by=actor, marked_at=now
    )
    rows.exclude(pk__in=present_ids).filter(present=True).update(
        present=False, marked_by=actor, marked_at=now
    )
    return rows.filter(present=True).count()
