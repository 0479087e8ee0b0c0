"""Certificates as PDFs (学习证明), rendered by WeasyPrint with Noto Sans CJK like the
letters: a member's yearly study certificate (credited class hours by course and lesson,
the total against the yearly target) and the certificate of a passed test."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.learning.catalogue import lessons_by_ids
from tenants.learning.models import Attempt
from tenants.learning.selectors import target_hours
from tenants.learning.study import lesson_seconds_in_year, study_rules
from tenants.members.models import Member


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _issuer() -> str:
    """The county's organization department: 榆阳区 → 中共榆阳区委组织部."""
    tenant = getattr(connection, "tenant", None)
    name = str(getattr(tenant, "name", "") or "")
    return f"中共{name}委组织部" if name else ""


def year_context(member: Member, year: int) -> dict[str, Any]:
    rules = study_rules()
    seconds = {k: v for k, v in lesson_seconds_in_year(member, year).items() if v}
    lessons = lessons_by_ids(seconds)
    courses: dict[Any, dict[str, Any]] = defaultdict(lambda: {"lessons": [], "seconds": 0})
    for lesson_id, credited in seconds.items():
        lesson = lessons.get(lesson_id)
        course = lesson.course if lesson is not None else None  # type: ignore[attr-defined]
        key = course.pk if course is not None else None
        row = courses[key]
        row["title"] = course.title if course is not None else "已删除的课节"
        row["city"] = course is not None and not hasattr(course, "org_id")
        row["seconds"] += credited
        row["lessons"].append(
            {
                "title": lesson.title if lesson is not None else "—",
                "hours": rules.hours(credited),
            }
        )
    rows = sorted(courses.values(), key=lambda r: r["title"])
    for row in rows:
        row["hours"] = rules.hours(row["seconds"])
    total = sum(seconds.values())
    target = target_hours(member)
    hours = rules.hours(total)
    return {
        "member": member,
        "year": year,
        "courses": rows,
        "hours": hours,
        "target": target,
        "reached": hours >= target,
        "minutes_per_hour": rules.minutes_per_hour,
        "issuer": _issuer(),
        "today": timezone.localdate(),
    }


def year_certificate(member: Member, year: int) -> bytes:
    return _pdf(render_to_string("learning/certificate_year.html", year_context(member, year)))


def attempt_certificate(attempt: Attempt) -> bytes:
    return _pdf(
        render_to_string(
            "learning/certificate_test.html",
            {
                "attempt": attempt,
                "paper": attempt.paper,
                "member": attempt.member,
                "issuer": _issuer(),
                "today": timezone.localdate(),
            },
        )
    )
