"""Running learning in Chromium (issue 20): a branch secretary creates a course, uploads
the MP4 lesson, publishes it, writes three questions through the form, makes a fixed
paper from them and publishes it; the course and a question sent back unchanged keep
every field; the city's user creates and publishes a city course with an article lesson.
Each form stores what was typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.learning.models import CityCourse
from tenants.learning.models import Attempt, Course, LessonProgress, Paper, Question, StudyDay
from tests.e2e.conftest import login, pick, url
from tests.e2e.test_form_roundtrip import assert_same, orm, snapshot, submit
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

MP4 = Path(__file__).resolve().parents[2] / "tenants" / "learning" / "demo_media" / "lesson.mp4"
COURSE = "浏览器测试：学习党章"
CITY_COURSE = "浏览器测试：市级党课"


def _clean(schema: str) -> None:
    with schema_context(schema):
        Attempt.objects.filter(paper__title__startswith="浏览器测试").delete()
        Paper.objects.filter(title__startswith="浏览器测试").delete()
        Question.objects.filter(stem__startswith="浏览器测试").delete()
        ids = list(Course.objects.filter(title=COURSE).values_list("lessons__id", flat=True))
        StudyDay.objects.filter(lesson_id__in=ids).delete()
        LessonProgress.objects.filter(lesson_id__in=ids).delete()
        Course.objects.filter(title=COURSE).delete()
    connection.set_schema_to_public()
    CityCourse.objects.filter(title=CITY_COURSE).delete()


@pytest.fixture
def clean(live_server_port, committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    in_thread(lambda: _clean(alpha.schema))
    yield
    in_thread(lambda: _clean(alpha.schema))


def test_a_secretary_runs_a_course_and_a_test_and_the_city_publishes(
    page_factory, live_server_port, clean, alpha
):
    port, host = live_server_port, alpha.host
    sec = page_factory()
    login(sec, port, host, "branchsec", PASSWORD)
    sec.goto(url(port, host, "/learning/manage/"))
    sec.get_by_test_id("course-new").click()
    sec.wait_for_url(re.compile(r".*/learning/manage/courses/new/$"))
    pick(sec, "#id_org", "某村", "某村党支部")
    sec.fill("#id_title", COURSE)
    sec.fill("#id_summary", "学习新修订的党章")
    sec.select_option("#id_audience", "all")
    submit(sec)
    sec.wait_for_url(re.compile(r".*/learning/manage/courses/[0-9a-f-]+/$"))
    course = orm(alpha.schema, lambda: Course.objects.get(title=COURSE))
    assert (course.summary, course.audience, course.required, course.published) == (
        "学习新修订的党章",
        "all",
        True,
        False,
    )
    assert course.year == timezone.localdate().year

    sec.select_option("#id_kind", "video")
    sec.fill("#id_title", "第一讲：党章总纲")
    sec.set_input_files("#id_media", str(MP4))
    submit(sec, "添加课节")
    lesson = orm(alpha.schema, lambda: Course.objects.get(pk=course.pk).lessons.get())  # noqa: PLW0108
    assert (lesson.title, lesson.kind) == ("第一讲：党章总纲", "video")
    assert lesson.media_type == "video/mp4"
    assert lesson.duration_seconds >= 1  # read from the file
    submit(sec, "发布课程")
    assert "已发布" in sec.inner_text("[data-testid=course-state]")
    assert orm(alpha.schema, lambda: Course.objects.get(pk=course.pk).published)

    # The course's edit form sent back unchanged keeps every field.
    before = orm(alpha.schema, lambda: snapshot(Course.objects.get(pk=course.pk)))
    sec.goto(url(port, host, f"/learning/manage/courses/{course.pk}/edit/"))
    submit(sec)
    assert_same(before, orm(alpha.schema, lambda: snapshot(Course.objects.get(pk=course.pk))))

    questions = [
        ("single", "浏览器测试：党的最高领导机关是？", {"options": "党的全国代表大会\n中央委员会"}),
        ("judge", "浏览器测试：党员应当按期交纳党费。", {}),
        ("fill", "浏览器测试：全心全意____。", {"fills": "为人民服务｜为人民服务。"}),
    ]
    for kind, stem, typed in questions:
        sec.goto(url(port, host, "/learning/manage/questions/new/"))
        pick(sec, "#id_org", "某村", "某村党支部")
        sec.select_option("#id_kind", kind)
        sec.fill("#id_stem", stem)
        for field, value in typed.items():
            sec.fill(f"#id_{field}", value)
        if kind == "single":
            sec.check("#id_right_0")
        if kind == "judge":
            sec.check("#id_judge_0")
        sec.fill("#id_tags", "党章 浏览器")
        submit(sec)
    made = orm(
        alpha.schema,
        lambda: {
            q.kind: (q.options, q.answer, q.tags)
            for q in Question.objects.filter(stem__startswith="浏览器测试")
        },
    )
    assert made == {
        "single": (["党的全国代表大会", "中央委员会"], [0], ["党章", "浏览器"]),
        "judge": ([], [0], ["党章", "浏览器"]),
        "fill": ([], [["为人民服务", "为人民服务。"]], ["党章", "浏览器"]),
    }
    single = orm(alpha.schema, lambda: Question.objects.get(stem__startswith="浏览器测试：党的"))
    before = orm(alpha.schema, lambda: snapshot(Question.objects.get(pk=single.pk)))
    sec.goto(url(port, host, f"/learning/manage/questions/{single.pk}/edit/"))
    submit(sec)
    assert_same(before, orm(alpha.schema, lambda: snapshot(Question.objects.get(pk=single.pk))))

    sec.goto(url(port, host, "/learning/manage/papers/new/"))
    pick(sec, "#id_org", "某村", "某村党支部")
    sec.fill("#id_title", "浏览器测试：党章知识测试")
    assert sec.is_checked("#id_mode_0")  # fixed
    for _, stem, _ in questions:
        sec.locator("label", has_text=stem).locator("input").check()
    sec.fill("#id_points_single", "4")
    sec.fill("#id_time_limit_minutes", "20")
    submit(sec)
    sec.wait_for_url(re.compile(r".*/learning/manage/papers/\d+/$"))
    paper = orm(alpha.schema, lambda: Paper.objects.get(title="浏览器测试：党章知识测试"))
    chosen = orm(
        alpha.schema,
        lambda: set(Paper.objects.get(pk=paper.pk).items.values_list("question_id", flat=True)),
    )
    written = orm(
        alpha.schema,
        lambda: set(
            Question.objects.filter(stem__startswith="浏览器测试").values_list("pk", flat=True)
        ),
    )
    assert chosen == written
    assert (paper.mode, paper.points, paper.time_limit_minutes) == (
        "fixed",
        {"single": 4, "judge": 1, "fill": 2},
        20,
    )
    submit(sec, "发布考试")
    assert "已发布" in sec.inner_text("[data-testid=paper-state]")
    assert orm(alpha.schema, lambda: Paper.objects.get(pk=paper.pk).published)

    city = page_factory()
    login(city, port, CITY_HOST, "city", PASSWORD)
    city.goto(url(port, CITY_HOST, "/learning/"))
    city.get_by_test_id("city-course-new").click()
    city.wait_for_url(re.compile(r".*/learning/new/$"))
    city.fill("#id_title", CITY_COURSE)
    city.select_option("#id_audience", "all")
    submit(city)
    city.wait_for_url(re.compile(r".*/learning/courses/[0-9a-f-]{36}/$"))
    city.select_option("#id_kind", "article")
    city.fill("#id_title", "导读")
    city.fill("#id_body", "市委组织部导读正文。")
    city.fill("#id_reading_minutes", "10")
    submit(city, "添加课节")
    submit(city, "发布课程")
    assert "已发布" in city.inner_text("[data-testid=course-state]")

    def published() -> tuple:
        connection.set_schema_to_public()
        c = CityCourse.objects.get(title=CITY_COURSE)
        lesson = c.lessons.get()
        return c.published, lesson.kind, lesson.body, lesson.duration_seconds

    assert in_thread(published) == (True, "article", "市委组织部导读正文。", 600)
    # The county's managers see it, read only, with the city's tag.
    sec.goto(url(port, host, "/learning/manage/"))
    assert CITY_COURSE in sec.inner_text("[data-testid=city-course-rows]")
