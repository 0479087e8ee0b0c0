"""Reads of organizational life: meetings a user runs, a member's own meetings, a
meeting's attendance figures, the 支部党员大会 a question can be put to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orglife.models import Attendance, LeaveState, Meeting, MeetingStatus
from tenants.orglife.types import ASSEMBLY


def meetings_run_by(scope: Scope) -> QuerySet[Meeting]:
    """Meetings of the organizations where the user runs organizational life."""
    return (
        Meeting.objects.visible_to(scope, Perm.ORGLIFE_MANAGE)
        .select_related("org")
        .annotate(
            expected_n=Count("attendances", distinct=True),
            present_n=Count("attendances", filter=Q(attendances__present=True), distinct=True),
        )
        .order_by("-starts_at", "-pk")  # an aggregate drops Meta.ordering
    )


def meeting_run_by(scope: Scope, meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.visible_to(scope, Perm.ORGLIFE_MANAGE)
        .select_related("org", "lecturer", "recorded_by", "reviewed_by")
        .filter(pk=meeting_id)
        .first()
    )


def open_assemblies(org_id: int) -> list[tuple[int, str]]:
    """The branch's 支部党员大会 still open for votes (planned or held), newest first, as
    the choices of the forms that put a question to one (development steps 15 and 23,
    民主评议)."""
    rows = Meeting.objects.filter(
        org_id=org_id,
        type_code=ASSEMBLY,
        status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD),
    ).order_by("-starts_at")[:20]
    return [(m.pk, f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M} {m.title}") for m in rows]


def own_attendance(scope: Scope, meeting_id: int) -> Attendance | None:
    """The member's own row of a meeting they are expected at (else None)."""
    if scope.member_id is None:
        return None
    return (
        Attendance.objects.filter(member_id=scope.member_id, meeting_id=meeting_id)
        .select_related("meeting__org", "meeting__lecturer")
        .first()
    )


def own_meetings(scope: Scope) -> QuerySet[Attendance]:
    if scope.member_id is None:
        return Attendance.objects.none()
    return (
        Attendance.objects.filter(member_id=scope.member_id)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__org")
        .order_by("-meeting__starts_at")
    )


@dataclass(frozen=True)
class Rate:
    expected: int
    present: int
    on_leave: int

    @property
    def percent(self) -> int | None:
        return None if not self.expected else round(100 * self.present / self.expected)


def attendance_rate(rows: QuerySet[Attendance]) -> Rate:
    """Present of expected over the held meetings among ``rows`` (出席率)."""
    held = rows.filter(meeting__status__in=(MeetingStatus.HELD, MeetingStatus.LOCKED))
    figures = held.aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(present=True)),
        on_leave=Count("pk", filter=Q(leave=LeaveState.APPROVED)),
    )
    return Rate(figures["expected"], figures["present"], figures["on_leave"])
