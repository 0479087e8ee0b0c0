"""The catalogue a county's people see: the city's courses (public) and the county's own,
merged in one list. A member sees the published courses of the city and of the
organizations above their branch (and their branch), for their audience; post holders with
``learning.manage`` see their own organizations' courses, published or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from shared.learning.catalogue import Audience, CourseBase, LessonBase
from shared.learning.models import CityCourse, CityLesson
from shared.standards.models import CodeTable
from shared.standards.selectors import codes_flagged
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.models import Course, Lesson
from tenants.members.models import Member
from tenants.orgs.models import Organization

PROBATIONARY = "probationary"


def ancestor_paths(org: Organization) -> list[str]:
    """The materialized paths of ``org`` and every organization above it."""
    step = Organization.steplen
    return [org.path[:n] for n in range(step, len(org.path) + 1, step)]


def is_committee_member(member_id: int) -> bool:
    """A 书记 or 班子成员 (a post flagged ``committee_member``) now."""
    posts = codes_flagged(CodeTable.POST, "committee_member")
    return Post.objects.filter(
        member_id=member_id, ended_at__isnull=True, post_code__in=posts
    ).exists()


def audiences_of(member: Member) -> set[str]:
    kinds = {Audience.ALL.value}
    if member.category_code == PROBATIONARY:
        kinds.add(Audience.PROBATIONARY.value)
    if is_committee_member(member.pk):
        kinds.add(Audience.SECRETARIES.value)
    return kinds


def member_courses(member: Member, year: int) -> list[CourseBase]:
    """Published courses of ``year`` meant for ``member``: the city's, then the county's."""
    audiences = audiences_of(member)
    city = CityCourse.objects.filter(published=True, year=year, audience__in=audiences)
    county = Course.objects.filter(
        published=True,
        year=year,
        audience__in=audiences,
        org__path__in=ancestor_paths(member.org),
        org__is_active=True,
    )
    return [*city.order_by("title"), *county.order_by("title")]


def managed_courses(scope: Scope) -> Iterable[Course]:
    return Course.objects.visible_to(scope, Perm.LEARNING_MANAGE).select_related("org")


def lessons_of(course: CourseBase) -> list[LessonBase]:
    return list(course.lessons.all())  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Found:
    lesson: LessonBase
    course: CourseBase
    city: bool


def lesson_by_id(lesson_id: UUID | str) -> Found | None:
    """A lesson of the county or of the city by its id (no published check)."""
    county = Lesson.objects.select_related("course").filter(pk=lesson_id).first()
    if county is not None:
        return Found(county, county.course, False)
    city = CityLesson.objects.select_related("course").filter(pk=lesson_id).first()
    if city is not None:
        return Found(city, city.course, True)
    return None


def lesson_for_member(member: Member, lesson_id: UUID | str) -> Found | None:
    """A lesson the member may study: its course published, and (a county's) published by an
    organization above or at the member's branch."""
    found = lesson_by_id(lesson_id)
    if found is None or not found.course.published:
        return None
    if not found.city and found.course.org.path not in ancestor_paths(member.org):  # type: ignore[attr-defined]
        return None
    return found


def lessons_by_ids(ids: Iterable[UUID]) -> dict[UUID, LessonBase]:
    ids = list(ids)
    found: dict[UUID, LessonBase] = {x.pk: x for x in Lesson.objects.filter(pk__in=ids)}
    found.update({x.pk: x for x in CityLesson.objects.filter(pk__in=ids)})
    return found


def course_lesson_ids(courses: Iterable[CourseBase]) -> dict[UUID, list[UUID]]:
    courses = list(courses)
    city = [c.pk for c in courses if isinstance(c, CityCourse)]
    county = [c.pk for c in courses if isinstance(c, Course)]
    result: dict[UUID, list[UUID]] = {c.pk: [] for c in courses}
    rows = list(CityLesson.objects.filter(course_id__in=city).values_list("course_id", "id"))
    rows += list(Lesson.objects.filter(course_id__in=county).values_list("course_id", "id"))
    for course_id, lesson_id in rows:
        result[course_id].append(lesson_id)
    return result
