"""Study time credited by the server's rules: scripted sessions and faked events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.learning.catalogue import LessonKind
from tenants.access.scope import Scope
from tenants.learning.models import LessonProgress, StudyDay, StudyRejection, StudySession
from tenants.learning.study import progress_report, session_start, study_rules, year_seconds
from tenants.members.models import Member
from tenants.rules.services import rule_override_set
from tests.tenants.learning.conftest import at, course_with

pytestmark = pytest.mark.django_db


def _me(b):  # type: ignore[no-untyped-def]
    return Member.objects.get(pk=b.member_scope.member_id)


def _play(member, found, session, start, seconds, *, step=15, first_seq=1, from_position=0.0):  # type: ignore[no-untyped-def]
    """A well-behaved player: an event every ``step`` seconds of wall time at normal speed."""
    results = []
    for n in range(1, seconds // step + 1):
        results.append(
            progress_report(
                member,
                session.pk,
                found,
                seq=first_seq + n - 1,
                position=from_position + n * step,
                now=start + timedelta(seconds=n * step),
            )
        )
    return results


def test_media_length_read_from_the_file(b):  # type: ignore[no-untyped-def]
    found = course_with(b)
    assert found.lesson.duration_seconds == 180
    assert found.lesson.media_type == "video/mp4"


def test_honest_session_credits_wall_time(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    session = session_start(me, found, "phone-a", now=start)
    results = _play(me, found, session, start, 150)
    assert all(not r.refused for r in results)
    assert results[-1].session_seconds == 150
    assert StudyDay.objects.get(member=me).credited_seconds == 150
    assert results[-1].lesson_seconds == 150
    assert not results[-1].completed  # 150 of 180 s < 90 %


def test_completion_at_the_rules_share_and_lesson_cap(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    session = session_start(me, found, "phone-a", now=start)
    results = _play(me, found, session, start, 180)
    assert results[-1].completed
    progress = LessonProgress.objects.get(member=me)
    assert progress.completed_at is not None and progress.credited_seconds == 180
    # Watching again the next day credits nothing beyond the lesson's length (cap 100 %).
    again = at(9) + timedelta(days=1)
    second = session_start(me, found, "phone-a", now=again)
    late = _play(me, found, second, again, 60)
    assert late[-1].lesson_seconds == 180
    assert sum(StudyDay.objects.filter(member=me).values_list("credited_seconds", flat=True)) == 180


def test_too_fast_is_refused_and_recorded(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    session = session_start(me, found, "bot", now=start)
    result = progress_report(
        me, session.pk, found, seq=1, position=120, now=start + timedelta(seconds=10)
    )
    assert result.refused == StudyRejection.Reason.TOO_FAST
    assert result.credited == 0 and "快于" in result.message
    assert StudyRejection.objects.filter(member=me, reason="too_fast").count() == 1
    assert not StudyDay.objects.filter(member=me, credited_seconds__gt=0).exists()
    # Within the tolerance (10 % + 2 s) is accepted, but credits only the wall time.
    ok = progress_report(
        me, session.pk, found, seq=2, position=24, now=start + timedelta(seconds=20)
    )
    assert not ok.refused and ok.credited == 20


def test_replayed_event_is_refused(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    session = session_start(me, found, "phone-a", now=start)
    progress_report(me, session.pk, found, seq=1, position=15, now=start + timedelta(seconds=15))
    replay = progress_report(
        me, session.pk, found, seq=1, position=30, now=start + timedelta(seconds=30)
    )
    assert replay.refused == StudyRejection.Reason.REPLAY and replay.credited == 0
    assert StudySession.objects.get(pk=session.pk).credited_seconds == 15


def test_second_device_pauses_the_first(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    first = session_start(me, found, "phone-a", now=start)
    progress_report(me, first.pk, found, seq=1, position=15, now=start + timedelta(seconds=15))
    second = session_start(me, found, "tablet-b", now=start + timedelta(seconds=20))
    refused = progress_report(
        me, first.pk, found, seq=2, position=30, now=start + timedelta(seconds=30)
    )
    assert refused.refused == StudyRejection.Reason.PAUSED
    assert "另一台设备" in refused.message
    ok = progress_report(
        me, second.pk, found, seq=1, position=15, now=start + timedelta(seconds=35)
    )
    assert not ok.refused and ok.credited == 15


def test_beyond_the_media_length_is_refused(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b)
    start = at(9)
    session = session_start(me, found, "phone-a", position=170, now=start)
    beyond = progress_report(
        me, session.pk, found, seq=1, position=400, now=start + timedelta(seconds=300)
    )
    assert beyond.refused == StudyRejection.Reason.BEYOND


def test_gap_longer_than_the_rule_credits_nothing(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b, LessonKind.ARTICLE, body="正文", reading_minutes=10)
    start = at(9)
    session = session_start(me, found, "phone-a", now=start)
    first = progress_report(me, session.pk, found, seq=1, now=start + timedelta(seconds=30))
    away = progress_report(me, session.pk, found, seq=2, now=start + timedelta(minutes=20))
    assert first.credited == 30 and away.credited == 0


def test_minimum_then_longest_session_per_day(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b, LessonKind.ARTICLE, body="正文", reading_minutes=30)
    start = at(9)
    short = session_start(me, found, "phone-a", now=start)
    _play(me, found, short, start, 90)  # 90 s < the 120 s minimum: nothing counts
    assert year_seconds(me, start.year) == 0
    later = at(10)
    long = session_start(me, found, "phone-a", now=later)
    _play(me, found, long, later, 300)
    third = at(11)
    mid = session_start(me, found, "phone-a", now=third)
    _play(me, found, mid, third, 200)
    assert StudyDay.objects.get(member=me).credited_seconds == 300  # only the longest


def test_sum_of_sessions_when_the_county_says_so(b):  # type: ignore[no-untyped-def]
    rule_override_set(
        scope=Scope.system(),
        key="learning.longest_session_only",
        value=False,
        reason="本县规定",
        actor=b.secretary,
    )
    me, found = _me(b), course_with(b, LessonKind.ARTICLE, body="正文", reading_minutes=30)
    for hour, seconds in ((10, 300), (11, 210)):
        start = at(hour)
        session = session_start(me, found, "phone-a", now=start)
        _play(me, found, session, start, seconds)
    assert StudyDay.objects.get(member=me).credited_seconds == 510
    assert study_rules().longest_session_only is False


def test_session_does_not_cross_midnight(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b, LessonKind.ARTICLE, body="正文", reading_minutes=30)
    start = at(23, 59, 30)
    session = session_start(me, found, "phone-a", now=start)
    refused = progress_report(me, session.pk, found, seq=1, now=start + timedelta(seconds=45))
    assert refused.refused == StudyRejection.Reason.DAY


def test_bad_input_is_a_chinese_error(b):  # type: ignore[no-untyped-def]
    from zhdj.errors import ApplicationError

    me, found = _me(b), course_with(b)
    session = session_start(me, found, "phone-a", now=at(9))
    for seq, position in ((0, 1), ("1", 1), (1, "abc"), (1, float("nan")), (1, -5), (1, None)):
        with pytest.raises(ApplicationError) as error:
            progress_report(me, session.pk, found, seq=seq, position=position, now=at(9, 1))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)


def test_fractions_of_seconds_are_carried_not_lost(b):  # type: ignore[no-untyped-def]
    me, found = _me(b), course_with(b, LessonKind.ARTICLE, body="正文", reading_minutes=30)
    start = at(9)
    session = session_start(me, found, "phone-a", now=start)
    for n in range(1, 11):  # ten events 15.6 s apart: 156 s earned
        result = progress_report(
            me, session.pk, found, seq=n, now=start + timedelta(seconds=15.6 * n)
        )
    assert result.session_seconds == 156  # not 10 × 15
