"""The managers' learning pages as people use them (课程、题库、考试、统计、证明): the
branch secretary writes a course, uploads a lesson, publishes, writes questions and a
paper; the town secretary and the county administrator see it; a member is refused; the
other county reaches nothing of it; the city's courses are read only."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.accounts.models import User
from shared.learning.models import CityCourse, CityLesson
from shared.learning.services import city_course_create, city_course_publish, city_lesson_add
from tenants.access.scope import scope_for
from tenants.learning import exams, services
from tenants.learning.models import Course, Question
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.tenants.learning.conftest import upload

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _village(county) -> int:  # type: ignore[no-untyped-def]
    with schema_context(county.schema):
        return Organization.objects.get(name__endswith="某村党支部").pk


def _local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def _course_via_pages(client, org_id: int) -> str:  # type: ignore[no-untyped-def]
    page = client.post(
        "/learning/manage/courses/new/",
        {"org": org_id, "title": "学习党章", "summary": "", "year": YEAR, "audience": "all",
         "required": "on"},
    )  # fmt: skip
    assert page.status_code == 302, page.content.decode()[:3000]
    return re.search(r"/learning/manage/courses/([0-9a-f-]+)/", page["Location"]).group(1)


def test_a_secretary_writes_a_course_a_bank_and_a_paper_through_the_pages(db, alpha):
    sec = logged_in(alpha.host, "branchsec")
    assert "学习教育" in sec.get("/").content.decode()  # the navigation
    empty = sec.post("/learning/manage/courses/new/", {"org": _village(alpha), "title": ""})
    assert empty.status_code == 400 and 'data-field="title"' in empty.content.decode()
    course_id = _course_via_pages(sec, _village(alpha))
    url = f"/learning/manage/courses/{course_id}/"
    early = sec.post(f"{url}publish/", {"published": "1"})
    assert early.status_code == 400 and "还没有课节" in early.content.decode()
    wrong = sec.post(url, {"title": "第一讲", "kind": "video", "media": upload("lesson.mp3")})
    assert wrong.status_code == 400 and "不是MP4 视频文件" in wrong.content.decode()
    assert "第一讲" in wrong.content.decode()  # what was typed is kept
    video = sec.post(url, {"title": "第一讲", "kind": "video", "media": upload("lesson.mp4")})
    assert video.status_code == 302, video.content.decode()[:3000]
    article = sec.post(
        url, {"title": "第二讲", "kind": "article", "body": "正文", "reading_minutes": "5"}
    )
    assert article.status_code == 302
    assert sec.post(f"{url}publish/", {"published": "1"}).status_code == 302
    page = sec.get(url).content.decode()
    assert "已发布" in page and "第一讲" in page and "第二讲" in page
    with schema_context(alpha.schema):
        course = Course.objects.get(pk=course_id)
        assert course.published and course.lessons.count() == 2
        second = course.lessons.get(title="第二讲")
        assert second.duration_seconds == 300
    assert sec.post(f"/learning/manage/lessons/{second.pk}/remove/").status_code == 302

    org = _village(alpha)
    bad = sec.post(
        "/learning/manage/questions/new/",
        {"org": org, "kind": "single", "stem": "党的最高领导机关是？", "options": "甲\n乙",
         "right": ["1", "2"], "difficulty": "2"},
    )  # fmt: skip
    assert bad.status_code == 400 and "单选题只能有一个正确选项" in bad.content.decode()
    assert "党的最高领导机关是？" in bad.content.decode()
    for data in (
        {"kind": "single", "stem": "单选题干", "options": "全国代表大会\n中央委员会",
         "right": ["1"]},
        {"kind": "multi", "stem": "多选题干", "options": "甲\n乙\n丙", "right": ["1", "3"]},
        {"kind": "judge", "stem": "判断题干", "judge": "0"},
        {"kind": "fill", "stem": "填空____", "fills": "为人民服务｜全心全意为人民服务"},
    ):  # fmt: skip
        made = sec.post(
            "/learning/manage/questions/new/",
            {"org": org, "difficulty": "2", "tags": "党章 党史", **data},
        )
        assert made.status_code == 302, made.content.decode()[:3000]
    with schema_context(alpha.schema):
        fill = Question.objects.get(kind="fill")
        assert fill.answer == [["为人民服务", "全心全意为人民服务"]]
        assert Question.objects.get(kind="multi").answer == [0, 2]
        ids = list(Question.objects.values_list("pk", flat=True))
    listed = sec.get("/learning/manage/questions/?kind=judge").content.decode()
    assert "判断题干" in listed and "单选题干" not in listed
    edit = sec.get(f"/learning/manage/questions/{fill.pk}/edit/").content.decode()
    assert "为人民服务｜全心全意为人民服务" in edit

    paper = {
        "org": org, "title": "党章测试", "mode": "fixed", "questions": [str(i) for i in ids],
        "points_single": "2", "points_multi": "3", "points_judge": "1", "points_fill": "2",
        "time_limit_minutes": "30", "opens_at": _local(timedelta(minutes=-5)),
        "closes_at": _local(timedelta(days=3)), "pass_percent": "60", "max_attempts": "2",
    }  # fmt: skip
    late = sec.post("/learning/manage/papers/new/", {**paper, "closes_at": paper["opens_at"]})
    assert late.status_code == 400 and "截止时间应晚于开始时间" in late.content.decode()
    random_short = sec.post(
        "/learning/manage/papers/new/",
        {**paper, "mode": "random", "quota_tag_1": "党章", "quota_kind_1": "judge",
         "quota_count_1": "5"},
    )  # fmt: skip
    assert random_short.status_code == 400 and "不足 5 道" in random_short.content.decode()
    made = sec.post("/learning/manage/papers/new/", paper)
    assert made.status_code == 302, made.content.decode()[:3000]
    paper_url = made["Location"]
    assert sec.post(f"{paper_url}publish/", {"published": "1"}).status_code == 302
    assert "已发布" in sec.get(paper_url).content.decode()
    assert "党章测试" in sec.get("/learning/manage/papers/").content.decode()


def _published_world(county) -> dict:  # type: ignore[no-untyped-def]
    """A published course of 某村党支部 with a video, a passed attempt of the member."""
    with schema_context(county.schema):
        sec = User.objects.get(username="branchsec")
        scope = scope_for(sec)
        village = Organization.objects.get(name__endswith="某村党支部")
        course = services.course_create(
            scope, village,
            {"title": "党史学习", "year": YEAR, "audience": "all", "required": True}, sec,
        )  # fmt: skip
        lesson = services.lesson_add(
            scope, course, {"title": "第一讲", "kind": "video", "media": upload("lesson.mp4")}
        )
        services.course_publish(scope, course, True)
        q = services.question_create(
            scope, village, {"kind": "judge", "stem": "党员应当按期交纳党费。", "answer": [0]}, sec
        )
        now = timezone.now()
        paper = services.paper_create(
            scope, village,
            {"title": "党费知识", "mode": "fixed", "question_ids": [q.pk], "points": {"judge": 10},
             "time_limit_minutes": 10, "opens_at": now - timedelta(minutes=1),
             "closes_at": now + timedelta(days=1)}, sec,
        )  # fmt: skip
        services.paper_publish(scope, paper, True)
        member = Member.objects.get(user__username="member")
        attempt = exams.attempt_start(member, paper)
        exams.answer_save(member.pk, attempt.pk, q.pk, [0])
        attempt = exams.attempt_submit(member.pk, attempt.pk)
        assert attempt.passed
        return {
            "course": str(course.pk), "lesson": str(lesson.pk), "question": q.pk,
            "paper": paper.pk, "attempt": str(attempt.pk), "member": member.pk,
            "other_member": Member.objects.get(name="赵其他").pk,
        }  # fmt: skip


def test_who_reaches_the_managers_pages(db, alpha, beta):
    ids = _published_world(alpha)
    pages = [
        "/learning/manage/",
        "/learning/manage/courses/new/",
        f"/learning/manage/courses/{ids['course']}/",
        f"/learning/manage/courses/{ids['course']}/edit/",
        "/learning/manage/questions/",
        "/learning/manage/questions/new/",
        f"/learning/manage/questions/{ids['question']}/edit/",
        "/learning/manage/papers/",
        "/learning/manage/papers/new/",
        f"/learning/manage/papers/{ids['paper']}/",
        "/learning/manage/stats/",
    ]
    for username in ("branchsec", "townsec", "admin"):
        client = logged_in(alpha.host, username)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
    member = logged_in(alpha.host, "member")
    for url in pages:
        assert member.get(url).status_code == 403, url
    assert "学习教育" not in member.get("/").content.decode()
    # The other county: its own managers find none of alpha's objects.
    for username in ("branchsec", "admin"):
        other = logged_in(beta.host, username)
        for url in pages[2:4] + pages[6:7] + pages[9:10]:
            assert other.get(url).status_code == 404, (username, url)
        assert (
            other.post(f"/learning/manage/courses/{ids['course']}/publish/", {"published": "0"})
        ).status_code == 404
        assert other.post(f"/learning/manage/lessons/{ids['lesson']}/remove/").status_code == 404
    # Alpha's session is worthless on beta's host (host-only cookies): a login page.
    stranger = logged_in(alpha.host, "admin")
    stranger.defaults["HTTP_HOST"] = beta.host
    assert stranger.get("/learning/manage/").status_code in (302, 403)


def test_results_stats_and_export(db, alpha):
    ids = _published_world(alpha)
    sec = logged_in(alpha.host, "branchsec")
    results = sec.get(f"/learning/manage/papers/{ids['paper']}/").content.decode()
    assert "参考 1 人，合格 1 人，合格率 100%" in results
    refused = sec.post(f"/learning/manage/papers/{ids['paper']}/publish/", {"published": "0"})
    assert refused.status_code == 400 and "不能撤回" in refused.content.decode()
    stats = sec.get(f"/learning/manage/stats/?year={YEAR}").content.decode()
    assert "某村党支部" in stats and 'id="chart-hours"' in stats
    assert sec.get("/learning/manage/stats/?year=abc").status_code == 400
    with schema_context(alpha.schema):
        Member.objects.filter(pk=ids["member"]).update(name="=HYPERLINK(1)")
    export = sec.get(f"/learning/manage/stats/export.xlsx?year={YEAR}")
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    book = load_workbook(BytesIO(export.content))
    rows = list(book["党员明细"].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "所在组织", "学时")
    cell = next(
        c for row in book["党员明细"].iter_rows() for c in row if c.value == "=HYPERLINK(1)"
    )
    assert cell.data_type == "s"  # a name that looks like a formula stays text
    passed = next(r for r in rows if r[0] == "=HYPERLINK(1)")
    assert passed[8] == 1  # one test passed


def test_certificates_are_pdfs_and_own_only(db, alpha, beta):
    ids = _published_world(alpha)
    member = logged_in(alpha.host, "member")
    year = member.get(f"/learning/certificate/{YEAR}.pdf")
    assert year.status_code == 200 and year.content.startswith(b"%PDF")
    test = member.get(f"/learning/attempt/{ids['attempt']}/certificate.pdf")
    assert test.status_code == 200 and test.content.startswith(b"%PDF")
    assert member.get(f"/learning/certificate/{YEAR + 5}.pdf").status_code == 404
    sec = logged_in(alpha.host, "branchsec")  # not the sec's own attempt
    assert sec.get(f"/learning/attempt/{ids['attempt']}/certificate.pdf").status_code == 404
    managed = sec.get(f"/learning/manage/members/{ids['member']}/certificate/{YEAR}.pdf")
    assert managed.status_code == 200 and managed.content.startswith(b"%PDF")
    # 赵其他 is in 另一村党支部: outside the branch secretary's scope.
    outside = sec.get(f"/learning/manage/members/{ids['other_member']}/certificate/{YEAR}.pdf")
    assert outside.status_code == 404
    town = logged_in(alpha.host, "townsec")
    inside = town.get(f"/learning/manage/members/{ids['other_member']}/certificate/{YEAR}.pdf")
    assert inside.status_code == 200
    assert (
        member.get(f"/learning/manage/members/{ids['member']}/certificate/{YEAR}.pdf").status_code
        == 403
    )
    other = logged_in(beta.host, "member")
    assert other.get(f"/learning/attempt/{ids['attempt']}/certificate.pdf").status_code == 404


def test_a_county_only_reads_the_city_courses(db, alpha):
    city = User.objects.get(username="city")
    course = city_course_create(
        city, {"title": "市级党课", "year": YEAR, "audience": "all", "required": True}
    )
    city_lesson_add(
        city, course, {"title": "导读", "kind": "article", "body": "正文", "reading_minutes": 5}
    )
    city_course_publish(city, course, True)
    lesson = CityLesson.objects.get(course=course)
    admin = logged_in(alpha.host, "admin")
    listed = admin.get("/learning/manage/").content.decode()
    assert "市级党课" in listed and "市级" in listed
    # No county URL reaches a city course for writing: they answer 404.
    assert admin.get(f"/learning/manage/courses/{course.pk}/").status_code == 404
    assert admin.get(f"/learning/manage/courses/{course.pk}/edit/").status_code == 404
    assert (
        admin.post(f"/learning/manage/courses/{course.pk}/publish/", {"published": "0"})
    ).status_code == 404
    assert admin.post(f"/learning/manage/lessons/{lesson.pk}/remove/").status_code == 404
    assert CityCourse.objects.get(pk=course.pk).published
    with schema_context(alpha.schema):
        county_admin = User.objects.get(username="admin")
        from zhdj.errors import AccessDenied

        with pytest.raises(AccessDenied):
            city_course_publish(county_admin, course, False)


def test_a_branch_secretary_sees_the_courses_set_above_read_only(db, alpha):  # type: ignore[no-untyped-def]
    """The town committee's required course is listed for the village secretary (read-only),
    since the village's members are asked to study it."""
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tenants.access.scope import scope_for
    from tenants.learning import services as learning
    from tenants.orgs.models import Organization
    from tests.conftest import logged_in

    with schema_context(alpha.schema):
        townsec = User.objects.get(username="townsec")
        town = Organization.objects.get(name__endswith="某镇党委")
        course = learning.course_create(
            scope_for(townsec),
            town,
            {
                "title": "镇党委必修课",
                "year": timezone.localdate().year,
                "audience": "all",
                "required": True,
            },
            townsec,
        )
        learning.lesson_add(
            scope_for(townsec),
            course,
            {"title": "一", "kind": "article", "body": "正文", "reading_minutes": 5},
        )
        learning.course_publish(scope_for(townsec), course, True)
    page = logged_in(alpha.host, "branchsec").get("/learning/manage/").content.decode()
    assert "上级组织发布的课程" in page and "镇党委必修课" in page
    town_page = logged_in(alpha.host, "townsec").get("/learning/manage/").content.decode()
    assert "上级组织发布的课程" not in town_page  # its own course is in its own list
