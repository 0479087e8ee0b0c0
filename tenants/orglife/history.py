"""Meetings that took place before the platform was used (历史会议): a county's records
brought in from paper or an earlier system, and the demo's year of meetings.

Planning refuses a meeting older than the backfill window — that rule is about people
entering last month's meeting today, not about a county bringing its archive. History is
entered here, by the platform itself (``Scope.system``), never from a page; the votes of
such a meeting still go through the one engine (``voting``)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.orglife.models import Attendance, Ballot, Meeting, MeetingStatus
from tenants.orglife.roster import expected_members
from tenants.orglife.services import attendance_mark
from tenants.orglife.types import ASSEMBLY, meeting_types
from tenants.orglife.voting import (
    STEP_KINDS,
    ballot_cast,
    ballot_close,
    ballot_open,
    development_key,
)
from tenants.orgs.models import Organization


@transaction.atomic
def meeting_on_record(
    org: Organization,
    on: date,
    *,
    type_code: str = ASSEMBLY,
    at: time = time(9, 0),
    title: str = "",
    minutes: str = "",
    absent: int = 0,
    locked: bool = False,
) -> Meeting:
    """A meeting of ``org`` held on ``on`` with its roster as of that day; everyone came
    except the last ``absent`` members of the roll."""
    kind = meeting_types()[type_code]
    meeting = Meeting.objects.create(
        org=org,
        type_code=type_code,
        title=title or kind.name,
        starts_at=timezone.make_aware(datetime.combine(on, at)),
        checkin_token=secrets.token_urlsafe(32),
        minutes=minutes,
        status=MeetingStatus.PLANNED,
    )
    members = expected_members(org, kind.roster, on)
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in members)
    came = {m.pk for m in members[: len(members) - absent]}
    attendance_mark(scope=Scope.system(), meeting=meeting, present_ids=came, actor=None)
    if minutes:
        now = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.LOCKED if locked else MeetingStatus.HELD,
            recorded_at=now,
            reviewed_at=now if locked else None,
        )
        meeting.refresh_from_db()
    return meeting


@transaction.atomic
def development_vote_on_record(
    org: Organization, on: date, *, record_id: int, number: int, subject: str
) -> Ballot:
    """Steps 15 and 23 as a 支部党员大会 held on ``on`` voted them: everyone present,
    every voting member in favour (counted by the engine)."""
    meeting = meeting_on_record(org, on, title="支部党员大会")
    ballot = ballot_open(
        scope=Scope.system(),
        meeting=meeting,
        kind=STEP_KINDS[number],
        subject=subject,
        subject_key=development_key(record_id, number),
        actor=None,
    )
    for member_id in ballot.voters.filter(eligible=True, excused=False).values_list(
        "member_id", flat=True
    ):
        ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    return ballot_close(scope=Scope.system(), ballot=ballot, actor=None)
