"""The managers' learning API: courses, the question bank, papers and their results, the
statistics, through the same services as the pages; a member is refused; the other county
reaches nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.learning.models import Question
from tenants.orgs.models import Organization
from tests.conftest import logged_in

YEAR = timezone.localdate().year


def _post(client, path: str, data: dict, method: str = "post"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(path, json.dumps(data), content_type="application/json")


def _village(county) -> int:  # type: ignore[no-untyped-def]
    with schema_context(county.schema):
        return Organization.objects.get(name__endswith="某村党支部").pk


def test_a_secretary_runs_learning_through_the_api(db, alpha, beta, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    sec = logged_in(alpha.host, "branchsec")
    org = _village(alpha)
    bad = _post(
        sec,
        "/api/learning/manage/courses/",
        {"org": org, "title": "", "year": YEAR, "audience": "all"},
    )
    assert bad.status_code == 400 and "title" in bad.json()["errors"]
    made = _post(
        sec,
        "/api/learning/manage/courses/",
        {"org": org, "title": "党史", "year": YEAR, "audience": "all", "required": True},
    )
    assert made.status_code == 201, made.content
    course = made.json()["id"]
    renamed = _post(sec, f"/api/learning/manage/courses/{course}/", {"title": "党史学习"}, "patch")
    assert renamed.status_code == 200 and renamed.json()["title"] == "党史学习"
    empty = _post(sec, f"/api/learning/manage/courses/{course}/publish/", {"published": True})
    assert empty.status_code == 400 and "还没有课节" in json.dumps(empty.json(), ensure_ascii=False)
    assert sec.get("/api/learning/manage/courses/").json()["results"][0]["title"] == "党史学习"

    q = _post(
        sec,
        "/api/learning/manage/questions/",
        {"org": org, "kind": "single", "stem": "最高领导机关？",
         "options": ["全国代表大会", "中央委员会"], "answer": [0], "tags": ["党章"]},
    )  # fmt: skip
    assert q.status_code == 201, q.content
    qid = q.json()["id"]
    assert (
        _post(sec, f"/api/learning/manage/questions/{qid}/retire/", {"active": "no"}).status_code
        == 400
    )
    listed = sec.get("/api/learning/manage/questions/?kind=single&tag=党章").json()
    assert [r["id"] for r in listed["results"]] == [qid]
    assert sec.get("/api/learning/manage/questions/?kind=essay").status_code == 400

    now = timezone.now()
    paper = _post(
        sec,
        "/api/learning/manage/papers/",
        {"org": org, "title": "党章测试", "mode": "fixed", "question_ids": [qid],
         "points": {"single": 5}, "time_limit_minutes": 10,
         "opens_at": (now - timedelta(minutes=1)).isoformat(),
         "closes_at": (now + timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert paper.status_code == 201, paper.content
    assert paper.json()["pass_percent"] == 60 and paper.json()["question_ids"] == [qid]
    pid = paper.json()["id"]
    published = _post(sec, f"/api/learning/manage/papers/{pid}/publish/", {"published": True})
    assert published.status_code == 200 and published.json()["published"] is True
    assert sec.get(f"/api/learning/manage/papers/{pid}/results/").json() == []
    stats = sec.get(f"/api/learning/manage/stats/?year={YEAR}")
    assert stats.status_code == 200
    assert any(row["name"].endswith("某村党支部") for row in stats.json())
    assert sec.get("/api/learning/manage/stats/?year=abc").status_code == 400

    member = logged_in(alpha.host, "member")
    for path in ("courses", "questions", "papers", "stats"):
        assert member.get(f"/api/learning/manage/{path}/").status_code == 403
    other = logged_in(beta.host, "admin")
    assert other.get(f"/api/learning/manage/courses/{course}/").status_code == 404
    assert other.get(f"/api/learning/manage/questions/{qid}/").status_code == 404
    assert other.get(f"/api/learning/manage/papers/{pid}/results/").status_code == 404
    with schema_context(alpha.schema):
        assert Question.objects.get(pk=qid).active


def test_a_town_secretary_sees_the_branch_and_the_branch_not_the_town(db, alpha):
    town = logged_in(alpha.host, "townsec")
    with schema_context(alpha.schema):
        town_org = Organization.objects.get(name__endswith="某镇党委").pk
    made = _post(
        town,
        "/api/learning/manage/courses/",
        {"org": town_org, "title": "镇级课程", "year": YEAR, "audience": "all"},
    )
    assert made.status_code == 201
    sec = logged_in(alpha.host, "branchsec")
    assert sec.get(f"/api/learning/manage/courses/{made.json()['id']}/").status_code == 404
    denied = _post(
        sec,
        "/api/learning/manage/courses/",
        {"org": town_org, "title": "越级", "year": YEAR, "audience": "all"},
    )
    assert denied.status_code == 400


# A paper and a question whose nested fields have the wrong JSON types: each a 400 naming
# the field in Chinese, never a 500 and never a row.
PAPER_SHAPES = [
    ("quotas", {"mode": "random", "quotas": ["党章"]}),
    ("quotas", {"mode": "random", "quotas": "党章"}),
    ("quotas", {"mode": "random", "quotas": {"tag": "党章"}}),
    ("quotas", {"mode": "random", "quotas": [{"tag": ["党章"], "kind": "single", "count": 1}]}),
    ("quotas", {"mode": "random", "quotas": [{"tag": "党章", "kind": "single", "count": True}]}),
    ("points", {"mode": "fixed", "points": [5]}),
    ("points", {"mode": "fixed", "points": "5"}),
    ("points", {"mode": "fixed", "points": {"single": True}}),
    ("question_ids", {"mode": "fixed", "question_ids": ["x"]}),
    ("question_ids", {"mode": "fixed", "question_ids": [[1]]}),
    ("question_ids", {"mode": "fixed", "question_ids": "1"}),
    ("question_ids", {"mode": "fixed", "question_ids": [True]}),
    ("time_limit_minutes", {"mode": "fixed", "time_limit_minutes": True}),
]
QUESTION_SHAPES = [
    ("options", {"kind": "single", "options": 5, "answer": [0]}),
    ("options", {"kind": "single", "options": [["a"], {"b": 1}], "answer": [0]}),
    ("tags", {"kind": "judge", "answer": [1], "tags": 3}),
    ("answer", {"kind": "fill", "answer": [[{"x": 1}]]}),
    ("answer", {"kind": "single", "options": ["a", "b"], "answer": [True]}),
]


def test_wrongly_shaped_paper_and_question_fields_are_chinese_400s(db, alpha):
    sec = logged_in(alpha.host, "branchsec")
    org = _village(alpha)
    now = timezone.now()
    base = {"org": org, "title": "测试", "question_ids": [1], "points": {"single": 5},
            "time_limit_minutes": 10, "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat()}  # fmt: skip
    for field, shape in PAPER_SHAPES:
        answer = _post(sec, "/api/learning/manage/papers/", base | shape)
        assert answer.status_code == 400, (shape, answer.content)
        assert field in answer.json()["errors"], (shape, answer.json())
    for field, shape in QUESTION_SHAPES:
        answer = _post(sec, "/api/learning/manage/questions/", {"org": org, "stem": "题"} | shape)
        assert answer.status_code == 400, (shape, answer.content)
        assert field in answer.json()["errors"], (shape, answer.json())
    for body in ([1, 2], "x", None):
        answer = _post(sec, "/api/learning/manage/papers/", body)  # type: ignore[arg-type]
        assert answer.status_code == 400, (body, answer.content)
    with schema_context(alpha.schema):
        assert not Question.objects.exists()


def test_every_refused_field_of_a_question_is_reported_at_once(db, alpha):
    sec = logged_in(alpha.host, "branchsec")
    answer = _post(
        sec,
        "/api/learning/manage/questions/",
        {"org": _village(alpha), "kind": "single", "stem": "", "options": ["只有一个"],
         "difficulty": 7},
    )  # fmt: skip
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"stem", "options", "difficulty"}
