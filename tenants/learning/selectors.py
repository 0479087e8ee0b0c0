"""Reads of learning: a member's year (required courses, progress, hours against the
target), the papers open to them, and the completion and pass rates of organizations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.utils import timezone

from shared.learning.catalogue import CourseBase, LessonBase
from tenants.learning.catalogue import (
    ancestor_paths,
    is_committee_member,
    lessons_of,
    member_courses,
)
from tenants.learning.models import Attempt, LessonProgress, Paper
from tenants.learning.study import StudyRules, study_rules, year_seconds
from tenants.members.models import Member
from tenants.rules.selectors import rule_value


def target_hours(member: Member) -> int:
    """The yearly class hours the rules ask of this member (more of secretaries and
    committee members)."""
    key = (
        "learning.secretary_yearly_hours"
        if is_committee_member(member.pk)
        else "learning.yearly_hours"
    )
    return int(rule_value(key))


@dataclass
class CourseProgress:
    course: CourseBase
    city: bool
    lessons: list[LessonBase]
    credited: dict[UUID, int] = field(default_factory=dict)
    completed: set[UUID] = field(default_factory=set)

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.pk in self.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.lessons)) if self.lessons else 0

    @property
    def finished(self) -> bool:
        return bool(self.lessons) and self.done == len(self.lessons)


@dataclass
class Year:
    year: int
    rules: StudyRules
    seconds: int
    target: int
    courses: list[CourseProgress]

    @property
    def hours(self) -> float:
        return self.rules.hours(self.seconds)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.hours / self.target)) if self.target else 100

    @property
    def required(self) -> list[CourseProgress]:
        return [c for c in self.courses if c.course.required]

    @property
    def elective(self) -> list[CourseProgress]:
        return [c for c in self.courses if not c.course.required]

    @property
    def required_done(self) -> int:
        return sum(1 for c in self.required if c.finished)


def member_year(member: Member, year: int | None = None) -> Year:
    year = year or timezone.localdate().year
    courses = member_courses(member, year)
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(member=member, course_id__in=[c.pk for c in courses])
    }
    rows = []
    for course in courses:
        lessons = lessons_of(course)
        row = CourseProgress(course, not hasattr(course, "org_id"), lessons)
        for lesson in lessons:
            got = progress.get(lesson.pk)
            if got is not None:
                row.credited[lesson.pk] = got.credited_seconds
                if got.completed_at is not None:
                    row.completed.add(lesson.pk)
        rows.append(row)
    return Year(year, study_rules(), year_seconds(member, year), target_hours(member), rows)


def open_papers(member: Member) -> list[Paper]:
    """Published papers of the member's organization or above, not yet closed."""
    paths = ancestor_paths(member.org)
    now = timezone.now()
    return list(
        Paper.objects.filter(published=True, org__path__in=paths, closes_at__gt=now)
        .select_related("org")
        .order_by("closes_at")
    )


def year_papers(member: Member, year: int) -> list[Paper]:
    """The papers of the member's organization or above that were open during ``year``
    (opened before it ended and closed after it began): another year's page of 我的学习.
    This year's page shows ``open_papers`` (what may still be taken)."""
    paths = ancestor_paths(member.org)
    start, end = year_bounds(year)
    return list(
        Paper.objects.filter(
            published=True, org__path__in=paths, opens_at__lt=end, closes_at__gt=start
        )
        .select_related("org")
        .order_by("closes_at")
    )


def attempts_of(member: Member, papers: list[Paper]) -> dict[int, list[Attempt]]:
    result: dict[int, list[Attempt]] = {p.pk: [] for p in papers}
    for attempt in Attempt.objects.filter(member=member, paper__in=papers).order_by("number"):
        result[attempt.paper_id].append(attempt)
    return result


def member_attempts(member: Member, year: int | None = None) -> list[Attempt]:
    """The member's latest attempts; those started in ``year`` when one is given."""
    rows = Attempt.objects.filter(member=member)
    if year is not None:
        start, end = year_bounds(year)
        rows = rows.filter(started_at__gte=start, started_at__lt=end)
    return list(rows.select_related("paper").order_by("-started_at")[:50])


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The local year as aware datetimes: [1 January ``year``, 1 January ``year + 1``)."""
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
