"""A member's learning in Chromium on a phone (390×844): 我的学习, a video lesson played
for about twenty seconds while the server credits the time, then a timed test whose
answers are saved as given, kept across a reload, handed in and shown with the right
answers. Debian's Chromium plays the H.264 video lesson. A second case takes the test
with script turned off: the sheet is one form."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from tenants.learning.models import (
    Attempt,
    Course,
    LearningEvent,
    LessonProgress,
    Paper,
    Question,
    StudyDay,
    StudyRejection,
    StudySession,
)
from tests.e2e.conftest import assert_fits_phone, login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from tests.tenants.learning.test_views_member import Seeded, seed

pytestmark = [pytest.mark.e2e, pytest.mark.live]


CONFIRM = "确定交卷吗？交卷后不能再修改答案。"
SESSION_SECONDS = "Number(document.querySelector('[data-testid=session-credited]').dataset.seconds)"


def until(page, predicate: str, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Poll a predicate by ``evaluate`` (``wait_for_function`` evaluates a string, which
    the Content Security Policy forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"not true within {seconds} s: {predicate}"
        page.wait_for_timeout(250)


def _clean() -> None:
    Attempt.objects.all().delete()
    Paper.objects.all().delete()
    Question.objects.all().delete()
    for model in (StudyRejection, StudySession, StudyDay, LessonProgress, LearningEvent):
        model.objects.all().delete()
    Course.objects.all().delete()


@pytest.fixture
def seeded(live_server_port, committed, alpha) -> Iterator[Seeded]:  # type: ignore[no-untyped-def]
    def clean() -> None:
        with schema_context(alpha.schema):
            _clean()

    in_thread(clean)
    yield in_thread(lambda: seed(alpha.schema))
    in_thread(clean)


def test_a_member_studies_a_video_and_takes_a_timed_test_on_a_phone(
    page_factory, live_server_port, seeded, alpha
):
    port, host = live_server_port, alpha.host
    page = page_factory(phone=True)
    login(page, port, host, "member", PASSWORD)
    page.goto(url(port, host, "/learning/mine/"))
    assert page.get_by_test_id("my-hours").inner_text().startswith("0.0 / 32")
    assert_fits_phone(page)
    page.get_by_role("link", name=re.compile("第一讲")).click()
    page.wait_for_url(f"**/learning/lesson/{seeded.lesson}/")
    assert_fits_phone(page)
    video = page.get_by_test_id("lesson-video")
    video.click()  # the member's tap (a user gesture) …
    page.evaluate(
        "document.querySelector('video').paused && document.querySelector('video').play()"
    )
    until(page, "() => document.querySelector('video').currentTime > 1", 15)
    # About twenty seconds of real playing: the server credits what really passed.
    until(page, f"() => {SESSION_SECONDS} >= 10", 40)
    page.wait_for_timeout(5_000)
    page.evaluate("document.querySelector('video').pause()")
    until(page, f"() => {SESSION_SECONDS} >= 15", 10)
    assert page.get_by_test_id("player-message").is_hidden()
    credited = in_thread(
        lambda: _in(alpha.schema, lambda: StudySession.objects.get().credited_seconds)
    )
    assert 15 <= credited <= 25

    # The timed test: each answer saved as it is given.
    page.goto(url(port, host, "/learning/mine/"))
    with page.expect_navigation():
        page.get_by_role("button", name="开始考试").click()
    assert re.search(r"/learning/attempt/[0-9a-f-]+/$", page.url)
    assert re.match(r"^\d+:\d\d$", page.get_by_test_id("countdown").inner_text())
    assert_fits_phone(page)
    submit = page.get_by_test_id("submit")
    assert submit.get_attribute("data-confirm") == f"还有 4 题未作答，{CONFIRM}"
    page.locator("label.le-choice", has_text="党的全国代表大会").click()
    assert submit.get_attribute("data-confirm") == f"还有 3 题未作答，{CONFIRM}"
    # 交卷 with three left blank: the question says so, and 取消 keeps the sheet open.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    submit.click()
    assert asked == [f"还有 3 题未作答，{CONFIRM}"]
    assert "/result/" not in page.url
    for text in ("支部党员大会", "支部委员会", "党小组会"):
        page.locator("label.le-choice", has_text=text).click()
    page.locator("label.le-choice", has_text="正确").click()
    page.locator("input[data-blank]").fill("1921")
    for box in page.get_by_test_id("question").all():
        box.get_by_test_id("saved").filter(has_text="已保存").wait_for(timeout=10_000)
    page.reload()
    assert (
        page.locator("label.le-choice", has_text="党的全国代表大会").locator("input").is_checked()
    )
    assert page.locator("label.le-choice", has_text="党小组会").locator("input").is_checked()
    assert not page.locator("label.le-choice", has_text="茶话会").locator("input").is_checked()
    assert page.locator("input[data-blank]").input_value() == "1921"
    asked.clear()
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="交卷").click()
    page.wait_for_url("**/result/")
    assert asked == [CONFIRM]
    assert page.get_by_test_id("score").inner_text() == "100 / 100 分"
    assert page.get_by_test_id("verdict").inner_text() == "合格"
    assert "解析：见党章第十条。" in page.get_by_test_id("results").inner_text()
    assert_fits_phone(page)


def _in(schema: str, func):  # type: ignore[no-untyped-def]
    with schema_context(schema):
        return func()


def test_the_answer_sheet_works_without_script(browser, live_server_port, seeded, alpha):
    port, host = live_server_port, alpha.host
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        login(page, port, host, "member", PASSWORD)
        page.goto(url(port, host, "/learning/mine/"))
        with page.expect_navigation():
            page.get_by_role("button", name="开始考试").click()
        page.locator("label.le-choice", has_text="国务院").click()
        page.locator("label.le-choice", has_text="正确").click()
        page.locator("input[data-blank]").fill("１９２１")
        with page.expect_navigation():
            page.get_by_role("button", name="暂存答案").click()
        assert page.locator("label.le-choice", has_text="国务院").locator("input").is_checked()
        assert page.locator("input[data-blank]").input_value() == "１９２１"
        with page.expect_navigation():
            page.get_by_role("button", name="交卷").click()
        assert "/result/" in page.url
        assert page.get_by_test_id("score").inner_text() == "50 / 100 分"
        assert "不合格" in page.get_by_test_id("verdict").inner_text()
        answers = in_thread(
            lambda: _in(
                alpha.schema,
                lambda: sorted(
                    (str(a.answer), bool(a.correct)) for a in Attempt.objects.get().answers.all()
                ),
            )
        )
        assert answers == [("['１９２１']", True), ("[0]", True), ("[1]", False)]
    finally:
        context.close()


def _inset(page, card: str, inner: str) -> list[float]:  # type: ignore[no-untyped-def]
    """How far each ``inner`` element sits from the left edge of its ``card``, in px."""
    return page.evaluate(
        """([card, inner]) => Array.from(document.querySelectorAll(card)).flatMap(c =>
             Array.from(c.querySelectorAll(inner)).map(e =>
               e.getBoundingClientRect().left - c.getBoundingClientRect().left))""",
        [card, inner],
    )


def test_the_sheet_and_the_result_on_a_phone(  # type: ignore[no-untyped-def]
    page_factory, live_server_port, seeded, alpha, tmp_path
):
    """The answer sheet's question cards hold their questions without empty space, and
    the result's cards keep their text off the card's edge (looked at in the screenshots
    kept under the test's tmp_path)."""
    port, host = live_server_port, alpha.host
    page = page_factory(phone=True)
    login(page, port, host, "member", PASSWORD)
    page.goto(url(port, host, "/learning/mine/"))
    with page.expect_navigation():
        page.get_by_role("button", name="开始考试").click()
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)
    assert_fits_phone(page)
    for box in page.get_by_test_id("question").all():
        # Below the last option or blank: the 已保存 line and the card's padding, no more.
        gap = box.evaluate(
            """b => b.getBoundingClientRect().bottom - Math.max(...Array.from(
                 b.querySelectorAll('.le-choice, .le-blank'),
                 e => e.getBoundingClientRect().bottom))"""
        )
        assert gap <= 36, f"{gap:.0f} px of empty space at the bottom of a question"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="交卷").click()
    page.wait_for_url("**/result/")
    page.screenshot(path=str(tmp_path / "result.png"), full_page=True)
    assert_fits_phone(page)
    insets = _inset(page, "[data-testid=results] > li", ".le-title, .le-options li, div")
    assert insets and min(insets) >= 10, f"text {min(insets):.0f} px from the card's edge"
    page.goto(url(port, host, "/learning/wrong/"))
    page.screenshot(path=str(tmp_path / "wrong.png"), full_page=True)
    insets = _inset(page, "[data-testid=wrong-book] > li", ".le-title, .le-options li, div")
    assert insets and min(insets) >= 10, f"text {min(insets):.0f} px from the card's edge"
