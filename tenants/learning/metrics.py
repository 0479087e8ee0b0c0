"""Learning figures for the city dashboard (学习教育), integers only: the class hours
credited this year, the members reaching their yearly target, the members who finished
every required course, and closed test attempts by result. The dashboard derives 人均学时
(hours ÷ members), 学时达标率 and 考试合格率 from these (``shared.rollups.report``); per
organization too, so a committee's dashboard sums its own subtree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.utils import timezone

from shared.rollups.registry import memo, metric
from shared.standards.models import CodeTable
from shared.standards.selectors import codes_flagged
from tenants.access.models import Post
from tenants.learning.catalogue import audiences_of, course_lesson_ids, member_courses
from tenants.learning.models import Attempt, AttemptState, LessonProgress
from tenants.learning.selectors import year_range
from tenants.learning.study import seconds_in, study_rules
from tenants.members.models import Member
from tenants.rules.selectors import rule_value

PASSED, FAILED = "合格", "不合格"


@memo
def _members() -> list[tuple[int, int]]:
    """(member id, org id) of members on the roll."""
    on_roll = codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    return list(Member.objects.filter(party_status_code__in=on_roll).values_list("pk", "org_id"))


@memo
def _seconds() -> dict[int, int]:
    year = timezone.localdate().year
    return seconds_in(None, *year_range(year))


@memo
def _reaching() -> set[int]:
    """Members whose credited hours this year reach their target."""
    rules = study_rules()
    committee = set(
        Post.objects.filter(
            ended_at__isnull=True, post_code__in=codes_flagged(CodeTable.POST, "committee_member")
        ).values_list("member_id", flat=True)
    )
    plain = int(rule_value("learning.yearly_hours"))
    senior = int(rule_value("learning.secretary_yearly_hours"))
    seconds = _seconds()
    per_hour = rules.minutes_per_hour * 60
    return {
        member_id
        for member_id, _ in _members()
        if seconds.get(member_id, 0) >= (senior if member_id in committee else plain) * per_hour
    }


def _hours(seconds: int) -> int:
    return seconds // (study_rules().minutes_per_hour * 60)


def _hours_per_org() -> Iterable[tuple[int, str, int]]:
    seconds = _seconds()
    per_org: Counter[int] = Counter()
    for member_id, org_id in _members():
        per_org[org_id] += seconds.get(member_id, 0)
    return [(org_id, "", _hours(total)) for org_id, total in per_org.items() if total]


@metric("learning.class_hours", label="今年累计学时", unit="学时", per_org=_hours_per_org)
def class_hours() -> Iterable[tuple[str, int]]:
    """The sum of the organizations' figures, so a committee's subtree adds up to it."""
    return [("", sum(hours for _, _, hours in _hours_per_org()))]


def _reaching_per_org() -> Iterable[tuple[int, str, int]]:
    reaching = _reaching()
    counts = Counter(org_id for member_id, org_id in _members() if member_id in reaching)
    return [(org_id, "", n) for org_id, n in counts.items()]


@metric(
    "learning.members_reaching_target",
    label="学时达标党员",
    unit="人",
    per_org=_reaching_per_org,
)
def members_reaching_target() -> Iterable[tuple[str, int]]:
    return [("", len(_reaching()))]


@memo
def _required_done() -> list[int]:
    """Org ids of members who completed every lesson of every required course meant for
    them this year (one row per member)."""
    year = timezone.localdate().year
    completed: dict[int, set] = {}
    rows = LessonProgress.objects.filter(completed_at__isnull=False)
    for member_id, lesson_id in rows.values_list("member_id", "lesson_id"):
        completed.setdefault(member_id, set()).add(lesson_id)
    needed_for: dict[tuple[str, frozenset[str]], set] = {}
    done = []
    for member in Member.objects.filter(pk__in=list(completed)).select_related("org"):
        key = (member.org.path, frozenset(audiences_of(member)))
        if key not in needed_for:
            courses = [c for c in member_courses(member, year) if c.required]
            needed_for[key] = {lid for ids in course_lesson_ids(courses).values() for lid in ids}
        if needed_for[key] and needed_for[key] <= completed[member.pk]:
            done.append(member.org_id)
    return done


def _required_per_org() -> Iterable[tuple[int, str, int]]:
    return [(org_id, "", n) for org_id, n in Counter(_required_done()).items()]


@metric(
    "learning.required_completed",
    label="完成全部必修课程的党员",
    unit="人",
    per_org=_required_per_org,
)
def required_completed() -> Iterable[tuple[str, int]]:
    return [("", len(_required_done()))]


def _closed_attempts() -> Any:
    return Attempt.objects.exclude(state=AttemptState.OPEN).filter(
        started_at__year=timezone.localdate().year
    )


def _attempts_per_org() -> Iterable[tuple[int, str, int]]:
    rows = _closed_attempts().values_list("member__org_id", "passed").annotate(n=Count("*"))
    return [(org_id, PASSED if passed else FAILED, n) for org_id, passed, n in rows]


@metric(
    "learning.attempts_by_result",
    label="今年考试答卷",
    unit="份",
    dimension_label="考试结果",
    order="stored",
    per_org=_attempts_per_org,
)
def attempts_by_result() -> Iterable[tuple[str, int]]:
    rows = dict(_closed_attempts().values_list("passed").annotate(n=Count("*")))
    return [(PASSED, rows.get(True, 0)), (FAILED, rows.get(False, 0))]
