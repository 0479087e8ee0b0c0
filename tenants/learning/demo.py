"""Learning demo data (学习教育), through the services and the study engine: the county
committee's required course (video, article, audio), a course for secretaries and
committee members, a question bank, a fixed test open now and a random one; the county's
members with some study credited over the past weeks, and the demo member half-way through
the year with one failed attempt (so the wrong-answer book has entries). Idempotent."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared.accounts.models import User
from shared.learning.catalogue import Audience, LessonKind
from tenants.access.scope import Scope
from tenants.learning import services
from tenants.learning.catalogue import Found, lesson_by_id
from tenants.learning.exams import answer_save, attempt_start, attempt_submit
from tenants.learning.models import Course, Paper, Question
from tenants.learning.study import progress_report, session_start
from tenants.members.models import Member
from tenants.orgs.models import Organization

MEDIA = Path(__file__).resolve().parent / "demo_media"
SYSTEM = Scope.system()

DATA = json.loads((MEDIA / "demo.json").read_text(encoding="utf-8"))


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (MEDIA / name).read_bytes())


def seed_county() -> None:
    if Course.objects.exists():
        return
    root = Organization.objects.get_root_nodes().filter(is_active=True).first()
    admin = User.objects.filter(role=User.Role.COUNTY_ADMIN).order_by("pk").first()
    if root is None or admin is None:
        return
    year = timezone.localdate().year
    course = services.course_create(
        SYSTEM,
        root,
        {
            "title": "学习贯彻党的二十届三中全会精神",
            "summary": "全会精神解读、公报要点和专题党课，全体党员必学。",
            "year": year,
            "audience": Audience.ALL,
            "required": True,
        },
        admin,
    )
    video = services.lesson_add(
        SYSTEM,
        course,
        {"title": "全会精神解读", "kind": LessonKind.VIDEO, "media": _upload("lesson.mp4")},
    )
    article = services.lesson_add(
        SYSTEM,
        course,
        {
            "title": "全会公报要点",
            "kind": LessonKind.ARTICLE,
            "body": "\n".join(DATA["communique"]),
            "reading_minutes": 10,
        },
    )
    services.lesson_add(
        SYSTEM,
        course,
        {
            "title": "专题党课：守初心、担使命",
            "kind": LessonKind.AUDIO,
            "media": _upload("lesson.mp3"),
        },
    )
    services.course_publish(SYSTEM, course, True)
    senior = services.course_create(
        SYSTEM,
        root,
        {
            "title": "党组织书记履职能力提升",
            "summary": "支部工作条例、“三会一课”组织实务。",
            "year": year,
            "audience": Audience.SECRETARIES,
            "required": True,
        },
        admin,
    )
    services.lesson_add(
        SYSTEM,
        senior,
        {
            "title": "怎样开好支部党员大会",
            "kind": LessonKind.ARTICLE,
            "body": "\n".join(DATA["assembly_howto"]),
            "reading_minutes": 15,
        },
    )
    services.course_publish(SYSTEM, senior, True)
    questions = [
        services.question_create(SYSTEM, root, question, admin) for question in DATA["questions"]
    ]
    now = timezone.now()
    fixed = services.paper_create(
        SYSTEM,
        root,
        {
            "title": f"{year}年度党章党规知识测试",
            "mode": Paper.Mode.FIXED,
            "question_ids": [q.pk for q in questions[:10]],
            "points": {"single": 10, "multi": 10, "judge": 10, "fill": 10},
            "time_limit_minutes": 20,
            "opens_at": now - timedelta(days=10),
            "closes_at": now + timedelta(days=30),
            "pass_percent": 60,
            "max_attempts": 3,
        },
        admin,
    )
    services.paper_publish(SYSTEM, fixed, True)
    drawn = services.paper_create(
        SYSTEM,
        root,
        {
            "title": "党章应知应会（随机抽题）",
            "mode": Paper.Mode.RANDOM,
            "quotas": [
                {"tag": "党章", "kind": "single", "count": 2},
                {"tag": "党章", "kind": "judge", "count": 1},
                {"tag": "党章", "kind": "fill", "count": 1},
            ],
            "points": {"single": 25, "judge": 25, "fill": 25},
            "time_limit_minutes": 10,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=60),
        },
        admin,
    )
    services.paper_publish(SYSTEM, drawn, True)
    _study(video.pk, article.pk)
    _failed_attempt(fixed)


def _play(member: Member, found: Found, start: datetime, seconds: int) -> None:
    """An honest player: an event every 50 s of wall time at normal speed."""
    session = session_start(member, found, "demo-phone", now=start)
    media = found.lesson.is_media
    for n in range(1, seconds // 50 + 1):
        progress_report(
            member,
            session.pk,
            found,
            seq=n,
            position=50 * n if media else None,
            now=start + timedelta(seconds=50 * n),
        )


def _study(video_id: object, article_id: object) -> None:
    video, article = lesson_by_id(video_id), lesson_by_id(article_id)
    assert video is not None and article is not None
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    demo = User.objects.filter(username="member").values_list("member", flat=True).first()
    members = list(Member.objects.filter(party_status_code="normal").order_by("pk")[:80])
    for member in members:
        if member.pk == demo:
            _play(member, article, today - timedelta(days=6), 600)  # the article read
            _play(member, video, today - timedelta(days=2), 150)  # the video begun
        elif rng.random() < 0.7:
            _play(member, article, today - timedelta(days=rng.randint(1, 20)), 600)
            if rng.random() < 0.5:
                _play(member, video, today - timedelta(days=rng.randint(1, 20)), 200)


def _failed_attempt(paper: Paper) -> None:
    """The demo member tried the yearly test three days ago and did not pass."""
    member = Member.objects.filter(user__username="member").first()
    if member is None:
        return
    when = timezone.now() - timedelta(days=3)
    attempt = attempt_start(member, paper, now=when)
    for n, question in enumerate(Question.objects.filter(pk__in=attempt.question_ids)):
        if question.kind == "fill":
            given: list = ["不知道"]
        elif question.kind == "judge":
            given = [1 - question.answer[0]] if n % 2 else list(question.answer)
        else:
            given = [0]
        answer_save(member.pk, attempt.pk, question.pk, given, now=when + timedelta(minutes=n + 1))
    attempt_submit(member.pk, attempt.pk, now=when + timedelta(minutes=12))
