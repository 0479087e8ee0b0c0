"""Learning statistics of the organizations in a manager's scope for one year (学习统计):
per member the credited hours (``StudyDay``, counted by the rules' minutes per class
hour), the yearly target (more of secretaries and committee members), lessons completed,
required courses finished and tests passed; per organization the same summed up.

Built in a fixed number of queries whatever the number of members: a county
administrator's scope is the whole county."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import QuerySet

from shared.learning.catalogue import Audience
from shared.learning.models import CityCourse
from shared.standards.models import CodeTable
from shared.standards.selectors import codes_flagged
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.catalogue import PROBATIONARY, ancestor_paths, course_lesson_ids
from tenants.learning.models import Attempt, Course, LessonProgress
from tenants.learning.study import seconds_in, study_rules
from tenants.members.models import Member
from tenants.rules.selectors import rule_value


@dataclass
class MemberRow:
    member_id: int
    name: str
    org_id: int
    org_name: str
    seconds: int = 0
    hours: float = 0.0
    target: int = 0
    lessons_done: int = 0
    required: int = 0  # required courses meant for the member
    required_done: int = 0
    tests_taken: int = 0  # papers attempted (submitted) this year
    tests_passed: int = 0  # papers passed this year

    @property
    def reached(self) -> bool:
        return self.hours >= self.target


@dataclass
class OrgRow:
    org_id: int
    name: str
    members: list[MemberRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def hours(self) -> float:
        return round(sum(m.hours for m in self.members), 1)

    @property
    def hours_per_member(self) -> float:
        return round(self.hours / self.count, 1) if self.count else 0.0

    @property
    def reached(self) -> int:
        return sum(1 for m in self.members if m.reached)

    @property
    def reached_percent(self) -> int:
        return round(100 * self.reached / self.count) if self.count else 0

    @property
    def completion_percent(self) -> int | None:
        due = sum(m.required for m in self.members)
        done = sum(m.required_done for m in self.members)
        return round(100 * done / due) if due else None

    @property
    def pass_percent(self) -> int | None:
        taken = sum(m.tests_taken for m in self.members)
        passed = sum(m.tests_passed for m in self.members)
        return round(100 * passed / taken) if taken else None


@dataclass
class Report:
    year: int
    orgs: list[OrgRow]

    @property
    def members(self) -> list[MemberRow]:
        return [m for o in self.orgs for m in o.members]

    @property
    def total(self) -> OrgRow:
        return OrgRow(0, "合计", self.members)


def members_in(scope: Scope) -> QuerySet[Member]:
    """The members whose learning the user oversees (learning.manage over their branch)."""
    return Member.objects.visible_to(scope, Perm.LEARNING_MANAGE).filter(party_status_code="normal")


Due = dict[int, list[tuple[UUID, set[str]]]]


def _courses(year: int, members: list[Member]) -> tuple[Due, dict[UUID, set[str]]]:
    """Per branch: the published required courses of ``year`` meant for its members, each
    with its audience (the city's and those of the organizations above the branch); and
    the lesson ids of each course."""
    city = list(CityCourse.objects.filter(published=True, required=True, year=year))
    paths: dict[int, list[str]] = {}
    for m in members:
        if m.org_id not in paths:
            paths[m.org_id] = ancestor_paths(m.org)
    wanted = {p for ps in paths.values() for p in ps}
    county = list(
        Course.objects.filter(
            published=True, required=True, year=year, org__path__in=wanted, org__is_active=True
        ).select_related("org")
    )
    lessons = course_lesson_ids([*city, *county])
    result: Due = {}
    for org_id, ps in paths.items():
        mine = [c for c in county if c.org.path in ps]
        result[org_id] = [(c.pk, {c.audience}) for c in [*city, *mine] if lessons[c.pk]]
    return result, {k: {str(x) for x in v} for k, v in lessons.items()}


def year_report(scope: Scope, year: int, members: QuerySet[Member] | None = None) -> Report:
    rules = study_rules()
    qs = (members if members is not None else members_in(scope)).select_related("org")
    people = list(qs.order_by("org__path", "name_pinyin", "pk"))
    ids = [m.pk for m in people]
    seconds = seconds_in(ids, date(year, 1, 1), date(year, 12, 31))
    committee = set(
        Post.objects.filter(
            member_id__in=ids,
            ended_at__isnull=True,
            post_code__in=codes_flagged(CodeTable.POST, "committee_member"),
        ).values_list("member_id", flat=True)
    )
    base, secretary = (
        int(rule_value("learning.yearly_hours")),
        int(rule_value("learning.secretary_yearly_hours")),
    )
    progress = LessonProgress.objects.filter(member_id__in=ids, completed_at__isnull=False)
    done_this_year: dict[int, int] = defaultdict(int)
    completed: dict[int, set[str]] = defaultdict(set)
    for member_id, lesson_id, at in progress.values_list("member_id", "lesson_id", "completed_at"):
        completed[member_id].add(str(lesson_id))
        if at.year == year:
            done_this_year[member_id] += 1
    courses, lessons_of = _courses(year, people)
    taken: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    attempts = Attempt.objects.filter(
        member_id__in=ids, started_at__year=year, submitted_at__isnull=False
    ).values_list("member_id", "paper_id", "passed")
    for member_id, paper_id, ok in attempts:
        taken[member_id].add(paper_id)
        if ok:
            passed[member_id].add(paper_id)
    orgs: dict[int, OrgRow] = {}
    for m in people:
        audiences = {Audience.ALL.value}
        if m.category_code == PROBATIONARY:
            audiences.add(Audience.PROBATIONARY.value)
        if m.pk in committee:
            audiences.add(Audience.SECRETARIES.value)
        due = [cid for cid, aud in courses.get(m.org_id, []) if aud & audiences]
        row = MemberRow(
            member_id=m.pk,
            name=m.name,
            org_id=m.org_id,
            org_name=m.org.name,
            seconds=seconds.get(m.pk, 0),
            hours=rules.hours(seconds.get(m.pk, 0)),
            target=secretary if m.pk in committee else base,
            lessons_done=done_this_year.get(m.pk, 0),
            required=len(due),
            required_done=sum(1 for cid in due if lessons_of[cid] <= completed[m.pk]),
            tests_taken=len(taken[m.pk]),
            tests_passed=len(passed[m.pk]),
        )
        orgs.setdefault(m.org_id, OrgRow(m.org_id, m.org.name)).members.append(row)
    return Report(year, list(orgs.values()))
