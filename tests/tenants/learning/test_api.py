"""The member's learning through the API, as the player and the answer sheet use it; two
counties: nothing of one county's learning is reachable from the other."""

from __future__ import annotations

import json

from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.learning import services
from tenants.learning.models import Attempt, StudyRejection
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.learning import judge_paper
from tests.tenants.learning.conftest import upload


def _post(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(data), content_type="application/json")


def _seed(alpha):  # type: ignore[no-untyped-def]
    """A published video lesson and a one-question test of 某村党支部."""
    with schema_context(alpha.schema):
        sec = User.objects.get(username="branchsec")
        scope = scope_for(sec)
        village = Organization.objects.get(name__endswith="某村党支部")
        course = services.course_create(
            scope,
            village,
            {
                "title": "党史",
                "year": timezone.localdate().year,
                "audience": "all",
                "required": True,
            },
            sec,
        )
        lesson = services.lesson_add(
            scope, course, {"title": "第一讲", "kind": "video", "media": upload("lesson.mp4")}
        )
        services.course_publish(scope, course, True)
        question, paper = judge_paper(scope, village, sec)
        return str(lesson.pk), paper.pk, question.pk


def test_study_and_test_through_the_api(db, alpha, beta):
    lesson, paper, question = _seed(alpha)
    member = logged_in(alpha.host, "member")
    record = member.get("/api/learning/record/").json()
    assert record["target_hours"] == 32 and record["courses"][0]["lessons"][0]["id"] == lesson
    started = _post(member, "/api/learning/sessions/", {"lesson": lesson, "device": "phone-1"})
    assert started.status_code == 201, started.content
    session = started.json()["session"]
    # A bot's jump to the end is refused with a Chinese reason and recorded.
    jump = _post(member, f"/api/learning/sessions/{session}/progress/", {"seq": 1, "position": 170})
    assert jump.status_code == 409 and jump.json()["refused"] == "too_fast"
    assert "快于" in jump.json()["errors"]["__all__"][0]
    ok = _post(member, f"/api/learning/sessions/{session}/progress/", {"seq": 2, "position": 0.5})
    assert ok.status_code == 200 and ok.json()["credited"] <= 1
    bad = _post(member, f"/api/learning/sessions/{session}/progress/", {"seq": "x", "position": 1})
    assert bad.status_code == 400
    # The test: the open attempt never carries the answer.
    attempt = _post(member, f"/api/learning/papers/{paper}/start/", {})
    assert attempt.status_code == 201
    body = attempt.json()
    assert "right" not in body["questions"][0] and "answer" not in json.dumps(
        body["questions"][0]
    ).replace('"given"', "")
    saved = _post(
        member,
        f"/api/learning/attempts/{body['id']}/answer/",
        {"question": question, "answer": [0]},
    )
    assert saved.status_code == 200, saved.content
    done = _post(member, f"/api/learning/attempts/{body['id']}/submit/", {}).json()
    assert done["passed"] is True and done["questions"][0]["right"] == [0]
    assert member.get("/api/learning/wrong/").json() == []
    # The other county sees none of it.
    other = logged_in(beta.host, "member")
    assert other.get(f"/api/learning/attempts/{body['id']}/").status_code == 404
    assert (
        _post(other, "/api/learning/sessions/", {"lesson": lesson, "device": "x"}).status_code
        == 404
    )
    with schema_context(alpha.schema):
        assert StudyRejection.objects.count() == 1 and Attempt.objects.count() == 1


def test_a_post_holder_without_member_record_is_refused(db, alpha):
    admin = logged_in(alpha.host, "admin")
    response = admin.get("/api/learning/record/")
    assert response.status_code == 403 and "党员本人" in response.content.decode()
