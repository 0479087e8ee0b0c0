"""Learning data the tests and the page sweep share: a published one-question test."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tenants.learning import services
from tenants.learning.models import Paper, Question


def judge_paper(
    scope: Any,
    org: Any,
    user: Any,
    *,
    title: str = "党费知识",
    stem: str = "党员应当按期交纳党费。",
    points: int = 10,
    minutes: int = 10,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> tuple[Question, Paper]:
    """A true/false question (answer: 正确) and a published fixed paper of it."""
    question = services.question_create(
        scope, org, {"kind": "judge", "stem": stem, "answer": [0]}, user
    )
    now = timezone.now()
    paper = services.paper_create(
        scope,
        org,
        {
            "title": title,
            "mode": "fixed",
            "question_ids": [question.pk],
            "points": {"judge": points},
            "time_limit_minutes": minutes,
            "opens_at": opens_at or now - timedelta(minutes=1),
            "closes_at": closes_at or now + timedelta(days=1),
        },
        user,
    )
    services.paper_publish(scope, paper, True)
    return question, paper
