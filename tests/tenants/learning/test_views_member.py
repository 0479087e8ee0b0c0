"""The member's learning pages (我的学习): the year, a lesson and its media in byte ranges,
a test taken without script (one form saves every answer, then submits), the result and
the wrong-answer book. Two counties: the other county's member finds none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.learning import exams, services
from tenants.learning.models import Attempt, AttemptAnswer, AttemptState, Paper
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.tenants.learning.conftest import MEDIA, upload


@dataclass(frozen=True)
class Seeded:
    lesson: str
    article: str
    paper: int
    single: int
    multi: int
    judge: int
    fill: int


def seed(schema: str, *, minutes: int = 10) -> Seeded:
    """A published course of 某村党支部 (a video and an article) and a four-question test."""
    with schema_context(schema):
        sec = User.objects.get(username="branchsec")
        scope = scope_for(sec)
        village = Organization.objects.get(name__endswith="某村党支部")
        year = timezone.localdate().year
        course = services.course_create(
            scope,
            village,
            {"title": "学习党章", "year": year, "audience": "all", "required": True},
            sec,
        )
        video = services.lesson_add(
            scope, course, {"title": "第一讲", "kind": "video", "media": upload("lesson.mp4")}
        )
        article = services.lesson_add(
            scope,
            course,
            {
                "title": "第二讲",
                "kind": "article",
                "body": "第一段<b>加粗</b>\n\n第二段",
                "reading_minutes": 5,
            },
        )
        services.course_publish(scope, course, True)

        def question(data: dict) -> int:
            return services.question_create(scope, village, data, sec).pk

        single = question(
            {
                "kind": "single",
                "stem": "党的最高领导机关是？",
                "options": ["党的全国代表大会和它所产生的中央委员会", "国务院", "全国政协"],
                "answer": [0],
                "explanation": "见党章第十条。",
            }
        )
        multi = question(
            {
                "kind": "multi",
                "stem": "“三会一课”包括？",
                "options": ["支部党员大会", "支部委员会", "党小组会", "茶话会"],
                "answer": [0, 1, 2],
            }
        )
        judge = question({"kind": "judge", "stem": "党员应当按期交纳党费。", "answer": [0]})
        fill = question({"kind": "fill", "stem": "中国共产党成立于____年。", "answer": [["1921"]]})
        now = timezone.now()
        paper = services.paper_create(
            scope,
            village,
            {
                "title": "党章知识测试",
                "mode": "fixed",
                "question_ids": [single, multi, judge, fill],
                "points": {"single": 25, "multi": 25, "judge": 25, "fill": 25},
                "time_limit_minutes": minutes,
                "opens_at": now - timedelta(minutes=1),
                "closes_at": now + timedelta(days=1),
                "pass_percent": 60,
                "max_attempts": 2,
            },
            sec,
        )
        services.paper_publish(scope, paper, True)
        return Seeded(str(video.pk), str(article.pk), paper.pk, single, multi, judge, fill)


def shown(schema: str, attempt_id: str) -> dict[int, exams.ShownQuestion]:
    with schema_context(schema):
        attempt = Attempt.objects.get(pk=attempt_id)
        return {q.id: q for q in exams.shown_questions(attempt)}


def test_my_learning_shows_the_year_courses_and_tests(db, alpha, beta):
    s = seed(alpha.schema)
    member = logged_in(alpha.host, "member")
    page = member.get("/learning/mine/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "学习党章" in text and "第一讲" in text and "0.0 / 32 学时" in text
    assert "党章知识测试" in text and "还可考 2 次" in text and "开始考试" in text
    assert f"/learning/tests/{s.paper}/start" in text and "错题本" in text
    assert member.get(f"/learning/mine/?year={timezone.localdate().year - 1}").status_code == 200
    bad = member.get("/learning/mine/?year=abc")
    assert bad.status_code == 400 and "年度应为列表中的年份" in bad.content.decode()
    # The other county's member sees nothing of this county's courses.
    other = logged_in(beta.host, "member").get("/learning/mine/").content.decode()
    assert "学习党章" not in other and "党章知识测试" not in other
    # A post holder without a member record is told so, not shown an error.
    admin = logged_in(alpha.host, "admin").get("/learning/mine/")
    assert admin.status_code == 403


def test_a_lesson_page_and_its_media_in_byte_ranges(db, alpha, beta, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    s = seed(alpha.schema)
    data = (MEDIA / "lesson.mp4").read_bytes()
    member = logged_in(alpha.host, "member")
    page = member.get(f"/learning/lesson/{s.lesson}/").content.decode()
    assert "<video" in page and f"/learning/lesson/{s.lesson}/media" in page
    article = member.get(f"/learning/lesson/{s.article}/").content.decode()
    assert "<p>第一段&lt;b&gt;加粗&lt;/b&gt;</p>" in article and "<p>第二段</p>" in article
    media = f"/learning/lesson/{s.lesson}/media"
    whole = member.get(media)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "video/mp4" and b"".join(whole.streaming_content) == data
    part = member.get(media, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100" and b"".join(part.streaming_content) == data[100:200]
    tail = member.get(media, HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-16:]
    rest = member.get(media, HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert b"".join(rest.streaming_content) == data[-5:]
    outside = member.get(media, HTTP_RANGE=f"bytes={len(data)}-")
    assert outside.status_code == 416 and outside["Content-Range"] == f"bytes */{len(data)}"
    assert member.get(f"/learning/lesson/{s.article}/media").status_code == 404
    other = logged_in(beta.host, "member")
    assert other.get(f"/learning/lesson/{s.lesson}/").status_code == 404
    assert other.get(media).status_code == 404
    assert logged_in(alpha.host, "admin").get(media).status_code == 403


def _start(client, paper: int) -> str:  # type: ignore[no-untyped-def]
    started = client.post(f"/learning/tests/{paper}/start")
    assert started.status_code == 302 and "/learning/attempt/" in started["Location"]
    return started["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_a_test_taken_without_script(db, alpha, beta):
    s = seed(alpha.schema)
    member = logged_in(alpha.host, "member")
    attempt_id = _start(member, s.paper)
    page = member.get(f"/learning/attempt/{attempt_id}/").content.decode()
    assert "党的最高领导机关是？" in page and 'type="checkbox"' in page and "第 1 空" in page
    q = shown(alpha.schema, attempt_id)
    right = q[s.single].options.index("党的全国代表大会和它所产生的中央委员会")
    wrong_multi = q[s.multi].options.index("茶话会")
    answers = {
        f"q{s.single}": str(right),
        f"q{s.multi}": [str(wrong_multi)],
        f"q{s.judge}": "0",
        f"q{s.fill}_0": "１９２１",
    }
    # 暂存: everything saved, nothing submitted; the sheet comes back as it was sent.
    saved = member.post(f"/learning/attempt/{attempt_id}/submit", {**answers, "action": "save"})
    assert saved.status_code == 302 and saved["Location"].endswith(f"/attempt/{attempt_id}/")
    with schema_context(alpha.schema):
        assert AttemptAnswer.objects.filter(attempt_id=attempt_id).count() == 4
    again = shown(alpha.schema, attempt_id)
    assert again[s.single].given == [right] and again[s.fill].given == ["１９２１"]
    # Junk is refused in Chinese, and the good answers are kept.
    junk = member.post(f"/learning/attempt/{attempt_id}/submit", {f"q{s.single}": "x"})
    assert junk.status_code == 400 and "所选的选项不存在" in junk.content.decode()
    # The other county's member cannot reach the attempt.
    other = logged_in(beta.host, "member")
    assert other.get(f"/learning/attempt/{attempt_id}/").status_code == 404
    assert other.post(f"/learning/attempt/{attempt_id}/submit", answers).status_code == 404
    done = member.post(f"/learning/attempt/{attempt_id}/submit", answers)
    assert done["Location"].endswith(f"/attempt/{attempt_id}/result/")
    result = member.get(done["Location"]).content.decode()
    assert "75 / 100 分" in result and "合格" in result and "见党章第十条。" in result
    assert "正确答案：1921" in result
    assert member.get(f"/learning/attempt/{attempt_id}/").status_code == 302
    book = member.get("/learning/wrong/").content.decode()
    assert "“三会一课”包括？" in book and "正确答案：A、B、C" in book
    assert "党员应当按期交纳党费" not in book
    mine = member.get("/learning/mine/").content.decode()
    assert "已通过" in mine and f"/learning/attempt/{attempt_id}/result/" in mine


def test_an_attempt_past_its_deadline_shows_as_handed_in(db, alpha):
    s = seed(alpha.schema)
    member = logged_in(alpha.host, "member")
    attempt_id = _start(member, s.paper)
    with schema_context(alpha.schema):
        Attempt.objects.filter(pk=UUID(attempt_id)).update(
            deadline=timezone.now() - timedelta(minutes=1)
        )
    page = member.get(f"/learning/attempt/{attempt_id}/", follow=True)
    text = page.content.decode()
    assert "自动交卷" in text and "0 / 100 分" in text
    with schema_context(alpha.schema):
        assert Attempt.objects.get(pk=attempt_id).state == AttemptState.EXPIRED


def _last_year_paper(schema: str, s: Seeded) -> tuple[int, str]:
    """The same four questions as a test open through June of last year, taken once then
    (handed in blank)."""
    with schema_context(schema):
        sec = User.objects.get(username="branchsec")
        scope = scope_for(sec)
        village = Organization.objects.get(name__endswith="某村党支部")
        zone = timezone.get_current_timezone()
        year = timezone.localdate().year - 1
        now = timezone.now()
        paper = services.paper_create(
            scope,
            village,
            {
                "title": "去年的党章测试",
                "mode": "fixed",
                "question_ids": [s.single, s.multi, s.judge, s.fill],
                "points": {"single": 25, "multi": 25, "judge": 25, "fill": 25},
                "time_limit_minutes": 10,
                "opens_at": now,
                "closes_at": now + timedelta(days=1),
                "pass_percent": 60,
                "max_attempts": 2,
            },
            sec,
        )
        services.paper_publish(scope, paper, True)
        Paper.objects.filter(pk=paper.pk).update(
            opens_at=datetime(year, 6, 1, tzinfo=zone), closes_at=datetime(year, 6, 30, tzinfo=zone)
        )
        paper.refresh_from_db()
        member = Member.objects.select_related("org").get(user__username="member")
        then = datetime(year, 6, 10, 9, 0, tzinfo=zone)
        attempt = exams.attempt_start(member, paper, now=then)
        exams.attempt_submit(member.pk, attempt.pk, now=then + timedelta(minutes=5))
        return paper.pk, str(attempt.pk)


def test_my_learning_of_a_past_year_shows_only_that_years_tests_and_attempts(db, alpha):
    s = seed(alpha.schema)
    old_paper, old_attempt = _last_year_paper(alpha.schema, s)
    member = logged_in(alpha.host, "member")
    this = timezone.localdate().year
    # This year: one attempt handed in, a second left open (继续作答).
    first = _start(member, s.paper)
    member.post(f"/learning/attempt/{first}/submit", {})
    second = _start(member, s.paper)
    assert second != first

    past = member.get(f"/learning/mine/?year={this - 1}").content.decode()
    assert "去年的党章测试" in past and f"{this - 1}年度的考试" in past
    assert "党章知识测试" not in past and "继续作答" not in past and "开始考试" not in past
    assert "已截止" in past and "已考 1 次" in past
    assert f"/learning/attempt/{old_attempt}/result/" in past
    assert f"/learning/attempt/{first}/result/" not in past
    assert f"/learning/tests/{old_paper}/start" not in past

    now = member.get("/learning/mine/").content.decode()
    assert "党章知识测试" in now and "继续作答" in now and f"/learning/attempt/{second}/" in now
    assert "去年的党章测试" not in now
    assert f"/learning/attempt/{first}/result/" in now
    assert f"/learning/attempt/{old_attempt}/result/" not in now

    # A year with nothing: said so, not an error.
    empty = member.get(f"/learning/mine/?year={this - 2}")
    assert empty.status_code == 200
    text = empty.content.decode()
    assert f"{this - 2}年没有考试。" in text and f"{this - 2}年没有考试记录。" in text


def test_unanswered_questions_of_a_handed_in_test_are_in_the_wrong_book(db, alpha):
    s = seed(alpha.schema)
    member = logged_in(alpha.host, "member")
    attempt_id = _start(member, s.paper)
    q = shown(alpha.schema, attempt_id)
    right = q[s.single].options.index("党的全国代表大会和它所产生的中央委员会")
    wrong_multi = q[s.multi].options.index("茶话会")
    # One right, one wrong, two left blank (the judge and the fill-in).
    member.post(
        f"/learning/attempt/{attempt_id}/submit",
        {f"q{s.single}": str(right), f"q{s.multi}": [str(wrong_multi)]},
    )
    book = member.get("/learning/wrong/").content.decode()
    assert "党的最高领导机关是？" not in book
    assert "“三会一课”包括？" in book and "您的答案：D" in book
    assert "党员应当按期交纳党费。" in book and "中国共产党成立于____年。" in book
    assert book.count("您的答案：未作答") == 2
    assert "正确答案：正确" in book and "正确答案：1921" in book
    api = member.get("/api/learning/wrong/").json()
    assert {e["id"] for e in api} == {s.multi, s.judge, s.fill}
    assert "错题本（3 道）" in member.get("/learning/mine/").content.decode()

    # Answered right in the retake: out of the book; a question left blank again stays.
    retake = _start(member, s.paper)
    q = shown(alpha.schema, retake)
    member.post(
        f"/learning/attempt/{retake}/submit",
        {
            f"q{s.single}": str(
                q[s.single].options.index("党的全国代表大会和它所产生的中央委员会")
            ),
            f"q{s.multi}": [
                str(q[s.multi].options.index(t)) for t in ("支部党员大会", "支部委员会", "党小组会")
            ],
            f"q{s.judge}": "0",
        },
    )
    book = member.get("/learning/wrong/").content.decode()
    assert "“三会一课”包括？" not in book and "党员应当按期交纳党费。" not in book
    assert "中国共产党成立于____年。" in book and book.count("您的答案：未作答") == 1


def test_the_submit_confirmation_counts_the_unanswered_questions(db, alpha):
    s = seed(alpha.schema)
    member = logged_in(alpha.host, "member")
    attempt_id = _start(member, s.paper)
    page = member.get(f"/learning/attempt/{attempt_id}/").content.decode()
    assert 'data-confirm="还有 4 题未作答，确定交卷吗？交卷后不能再修改答案。"' in page
    member.post(
        f"/learning/attempt/{attempt_id}/submit",
        {f"q{s.judge}": "0", f"q{s.fill}_0": "1921", "action": "save"},
    )
    page = member.get(f"/learning/attempt/{attempt_id}/").content.decode()
    assert 'data-confirm="还有 2 题未作答，确定交卷吗？交卷后不能再修改答案。"' in page
    q = shown(alpha.schema, attempt_id)
    member.post(
        f"/learning/attempt/{attempt_id}/submit",
        {
            f"q{s.single}": "0",
            f"q{s.multi}": [str(q[s.multi].options.index("茶话会"))],
            f"q{s.fill}_0": "1921",  # the form carries every field: a blank one clears
            "action": "save",
        },
    )
    page = member.get(f"/learning/attempt/{attempt_id}/").content.decode()
    assert 'data-confirm="确定交卷吗？交卷后不能再修改答案。"' in page
    # Without script the form still hands in (page.js asks; the server does not).
    done = member.post(f"/learning/attempt/{attempt_id}/submit", {})
    assert done["Location"].endswith(f"/attempt/{attempt_id}/result/")
