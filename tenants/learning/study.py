"""Study time the server can trust (学习时长认定).

A player starts a ``StudySession`` for a lesson on a device and then reports progress
events ``(seq, position)`` every few seconds. Each event is checked before anything is
credited:

- the session must be the member's active one: starting a session on a second device
  pauses the first, whose later events are refused (``paused``);
- ``seq`` must grow: a replayed or reordered event is refused (``replay``);
- a session lives within one day (``day``); the player starts another after midnight;
- for video and audio, the position may not pass the media's length (``beyond``) nor move
  faster than the wall time since the last accepted event, with the rule's tolerance
  (``too_fast``);
- what is credited is never more than the wall time since the last accepted event (nor
  the position's advance, for media); a gap longer than the rule's (the phone locked, the
  member away) credits nothing.

Refused events are recorded (``StudyRejection``) and credit nothing. Per lesson and day
the rules count only the longest session (or the sum, if a county so sets), from a
minimum length, within a daily cap; a lesson never credits more than its cap in total.
``StudyDay`` rows therefore always add up to credited time, and hours are their sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shared.learning.catalogue import LessonBase
from shared.rollups.dirty import rollup_mark_dirty
from tenants.learning.catalogue import Found
from tenants.learning.models import (
    LearningEvent,
    LessonProgress,
    SessionState,
    StudyDay,
    StudyRejection,
    StudySession,
)
from tenants.members.models import Member
from tenants.rules.selectors import rule_values
from zhdj.errors import ApplicationError

JITTER_SECONDS = 2  # network jitter allowed on top of the speed tolerance
Reason = StudyRejection.Reason

REFUSALS = {
    Reason.TOO_FAST: "进度快于实际经过的时间，本次进度未计入学时。",
    Reason.REPLAY: "这条进度已经收到过，未重复计入。",
    Reason.PAUSED: "您已在另一个页面或另一台设备上继续学习，这里已暂停记录。",
    Reason.BEYOND: "进度超出了课节的时长，未计入学时。",
    Reason.ENDED: "本次学习已结束，请重新开始学习。",
    Reason.DAY: "已到第二天，请重新开始本课节的学习。",
}


@dataclass(frozen=True)
class StudyRules:
    minutes_per_hour: int
    min_session_seconds: int
    longest_session_only: bool
    daily_cap_seconds: int
    lesson_cap_percent: int
    complete_percent: int
    event_gap_seconds: int
    speed_tolerance_percent: int

    def lesson_cap(self, duration: int) -> int:
        return duration * self.lesson_cap_percent // 100

    def completes(self, duration: int, credited: int) -> bool:
        return credited * 100 >= duration * self.complete_percent

    def hours(self, seconds: int) -> float:
        return round(seconds / (self.minutes_per_hour * 60), 1)


def study_rules() -> StudyRules:
    v = rule_values("learning.")
    return StudyRules(
        minutes_per_hour=v["learning.minutes_per_hour"],
        min_session_seconds=v["learning.min_session_seconds"],
        longest_session_only=v["learning.longest_session_only"],
        daily_cap_seconds=v["learning.daily_cap_minutes"] * 60,
        lesson_cap_percent=v["learning.lesson_cap_percent"],
        complete_percent=v["learning.complete_percent"],
        event_gap_seconds=v["learning.event_gap_seconds"],
        speed_tolerance_percent=v["learning.speed_tolerance_percent"],
    )


@dataclass(frozen=True)
class Progress:
    credited: int  # seconds credited by this event
    session_seconds: int
    lesson_seconds: int  # the lesson's credited total, after the rules
    completed: bool
    refused: str = ""  # a StudyRejection reason
    message: str = ""


def session_start(
    member: Member, found: Found, device: str, *, position: float = 0, now: datetime | None = None
) -> StudySession:
    """Open a session on ``device`` and pause the member's other active sessions (one
    device studies at a time). ``position`` is where the player resumes."""
    now = now or timezone.now()
    device = (device or "").strip()[:64]
    if not device:
        raise ApplicationError("缺少设备标识。", field="device")
    duration = found.lesson.duration_seconds
    position = _position(position, duration) if found.lesson.is_media else 0
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one start at a time
        StudySession.objects.filter(member=member, state=SessionState.ACTIVE).update(
            state=SessionState.PAUSED
        )
        return StudySession.objects.create(
            member=member,
            lesson_id=found.lesson.pk,
            device=device,
            day=timezone.localdate(now),
            state=SessionState.ACTIVE,
            started_at=now,
            last_event_at=now,
            position=position,
        )


def _number(value: object) -> float:
    """A position in seconds from the player, or a Chinese refusal."""
    if isinstance(value, bool):
        raise ApplicationError("播放进度应为秒数。", field="position")
    try:
        position = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApplicationError("播放进度应为秒数。", field="position") from None
    if not math.isfinite(position) or position < 0:
        raise ApplicationError("播放进度应为不小于 0 的秒数。", field="position")
    return position


def _position(value: object, duration: int) -> float:
    return min(_number(value), float(duration))


def session_end(member: Member, session_id: UUID) -> None:
    StudySession.objects.filter(pk=session_id, member=member).update(state=SessionState.ENDED)


def progress_report(
    member: Member,
    session_id: UUID,
    found: Found,
    *,
    seq: int,
    position: float | None = None,
    now: datetime | None = None,
    rules: StudyRules | None = None,
) -> Progress:
    """Check one progress event and credit what the rules allow (see the module's text)."""
    now = now or timezone.now()
    rules = rules or study_rules()
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ApplicationError("进度序号应为正整数。", field="seq")
    lesson = found.lesson
    with transaction.atomic():
        session = (
            StudySession.objects.select_for_update()
            .filter(pk=session_id, member=member, lesson_id=lesson.pk)
            .first()
        )
        if session is None:
            raise ApplicationError("学习会话不存在。", field="session")
        wall = max((now - session.last_event_at).total_seconds(), 0.0)
        reason, detail, earned = _check(
            session, lesson, rules, seq=seq, position=position, wall=wall, now=now
        )
        if reason:
            StudyRejection.objects.create(
                member=member, session=session, reason=reason, detail=detail
            )
            if reason == Reason.DAY:
                session.state = SessionState.ENDED
                session.save(update_fields=["state"])
            total = _lesson_total(member, lesson.pk)
            return Progress(
                0, session.credited_seconds, total, False, reason, REFUSALS[Reason(reason)]
            )
        session.last_seq = seq
        session.last_event_at = now
        if lesson.is_media:
            session.position = float(detail["position"])
        # Whole seconds are credited; the fraction is carried to the next event, so the sum
        # credited never exceeds the time earned (nor loses a second per event).
        carried = session.credit_carry + earned
        credit = int(carried + 1e-6)  # float sums of exact microseconds land just below
        session.credit_carry = carried - credit
        session.credited_seconds += credit
        session.save(
            update_fields=[
                "last_seq",
                "last_event_at",
                "position",
                "credited_seconds",
                "credit_carry",
            ]
        )
        total, completed = _credit(member, session, found, rules)
    return Progress(credit, session.credited_seconds, total, completed)


def _check(
    session: StudySession,
    lesson: LessonBase,
    rules: StudyRules,
    *,
    seq: int,
    position: float | None,
    wall: float,
    now: datetime,
) -> tuple[str, dict, float]:
    """(refusal reason or "", detail, seconds earned by this event)."""
    detail: dict = {"seq": seq, "last_seq": session.last_seq, "wall": round(wall, 3)}
    state_refusals = {SessionState.PAUSED: Reason.PAUSED, SessionState.ENDED: Reason.ENDED}
    if session.state in state_refusals:
        return state_refusals[SessionState(session.state)], detail, 0
    if seq <= session.last_seq:
        return Reason.REPLAY, detail, 0
    if timezone.localdate(now) != session.day:
        return Reason.DAY, detail, 0
    reason, earned = "", wall
    detail["position"] = 0
    if lesson.is_media:
        reason, earned = _media(session, lesson, rules, position=position, wall=wall, detail=detail)
    if wall > rules.event_gap_seconds:
        earned = 0.0  # away: the time between is not study
    return reason, detail, earned


def _media(
    session: StudySession,
    lesson: LessonBase,
    rules: StudyRules,
    *,
    position: float | None,
    wall: float,
    detail: dict,
) -> tuple[str, float]:
    """A player's position checked against the media's length and the wall time."""
    if position is None:
        raise ApplicationError("缺少播放进度。", field="position")
    value = _number(position)
    detail["position"] = value
    detail["last_position"] = session.position
    if value > lesson.duration_seconds + 1:
        return Reason.BEYOND, 0.0
    advance = value - session.position
    if advance > wall * (100 + rules.speed_tolerance_percent) / 100 + JITTER_SECONDS:
        return Reason.TOO_FAST, 0.0
    return "", max(0.0, min(advance, wall))


def _credit(
    member: Member, session: StudySession, found: Found, rules: StudyRules
) -> tuple[int, bool]:
    """Bring the day's and the lesson's credit up to date after ``session`` grew."""
    lesson_id = found.lesson.pk
    day, _ = StudyDay.objects.select_for_update().get_or_create(
        member=member, lesson_id=lesson_id, day=session.day
    )
    sessions = StudySession.objects.filter(
        member=member,
        lesson_id=lesson_id,
        day=session.day,
        credited_seconds__gte=max(rules.min_session_seconds, 1),
    )
    if rules.longest_session_only:
        counted = max((s for s in sessions.values_list("credited_seconds", flat=True)), default=0)
    else:
        counted = sessions.aggregate(n=Sum("credited_seconds"))["n"] or 0
    other_days = (
        StudyDay.objects.filter(member=member, lesson_id=lesson_id)
        .exclude(pk=day.pk)
        .aggregate(n=Sum("credited_seconds"))["n"]
        or 0
    )
    room = max(rules.lesson_cap(found.lesson.duration_seconds) - other_days, 0)
    wanted = min(counted, rules.daily_cap_seconds, room)
    if wanted > day.credited_seconds:
        day.credited_seconds = wanted
        day.save(update_fields=["credited_seconds"])
        transaction.on_commit(rollup_mark_dirty)  # the dashboard's hours (one Redis SET NX)
    total = other_days + day.credited_seconds
    row, _ = LessonProgress.objects.select_for_update().get_or_create(
        member=member, lesson_id=lesson_id, defaults={"course_id": found.course.pk}
    )
    newly_done = row.completed_at is None and rules.completes(found.lesson.duration_seconds, total)
    row.credited_seconds = total
    if newly_done:
        row.completed_at = timezone.now()
        LearningEvent.objects.get_or_create(
            member=member, kind=LearningEvent.Kind.LESSON_COMPLETED, ref=str(lesson_id)
        )
    row.save()
    return total, row.completed_at is not None


def _lesson_total(member: Member, lesson_id: UUID) -> int:
    return (
        StudyDay.objects.filter(member=member, lesson_id=lesson_id).aggregate(
            n=Sum("credited_seconds")
        )["n"]
        or 0
    )


def seconds_in(member_ids: list[int] | None, start: date, end: date) -> dict[int, int]:
    """Credited seconds per member between two days (inclusive); all members if None."""
    rows = StudyDay.objects.filter(day__range=(start, end))
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    return dict(rows.values_list("member_id").annotate(n=Sum("credited_seconds")))


def year_seconds(member: Member, year: int) -> int:
    return seconds_in([member.pk], date(year, 1, 1), date(year, 12, 31)).get(member.pk, 0)


def lesson_seconds_in_year(member: Member, year: int) -> dict[UUID, int]:
    """Credited seconds per lesson in ``year`` (the record and the certificate)."""
    rows = StudyDay.objects.filter(member=member, day__year=year)
    return dict(rows.values_list("lesson_id").annotate(n=Sum("credited_seconds")))
