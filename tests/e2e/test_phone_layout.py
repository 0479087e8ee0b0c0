"""Every menu page of every county role on a 390×844 phone (issue 15): nothing wider than
the screen (wide tables scroll in their own box), a one-line top bar even for a long
name, one highlighted menu item scrolled into view, styled date boxes.

The pages are the user's own menu items, read from the page: a new page joins by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "zh-CN",
}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
TOPBAR_MAX = 80  # px: one line of brand, bell, name and 退出
# Long names, as the demo's: the walkthrough's top bar grew to 245 px for one.
EXTRA = {
    "layout_admin": ("区县管理员演示账号名字很长", User.Role.COUNTY_ADMIN),
    "layout_applicant": ("入党申请人演示账号名字很长", User.Role.APPLICANT),
}
MEASURE = """() => {
  const box = (sel) => {
    const e = document.querySelector(sel);
    return e ? e.getBoundingClientRect() : null;
  };
  const nav = box('nav.sidenav'), current = box('nav.sidenav a[aria-current=page]');
  const site = document.querySelector('[data-testid=site-name]');
  return {
    width: document.documentElement.scrollWidth,
    topbar: box('.topbar').height,
    siteLines: Math.round(
      site.getBoundingClientRect().height / parseFloat(getComputedStyle(site).lineHeight)),
    siteClipped: site.scrollWidth > site.clientWidth,
    nav: nav && {height: nav.height, left: nav.left, right: nav.right},
    current: current && {left: current.left, right: current.right,
      text: document.querySelector('nav.sidenav a[aria-current=page]').textContent},
    currentCount: document.querySelectorAll('nav.sidenav a[aria-current=page]').length,
  };
}"""


@pytest.fixture
def long_names(committed, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def create() -> None:
        with schema_context(alpha.schema):
            for username, (name, role) in EXTRA.items():
                User.objects.filter(username=username).delete()
                user_create(username=username, full_name=name, password=PASSWORD, role=role)

    def remove() -> None:
        with schema_context(alpha.schema):
            User.objects.filter(username__in=list(EXTRA)).delete()

    in_thread(create)
    yield
    in_thread(remove)


def _menu(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "nav[aria-label=主导航] a", "els => els.map(e => [e.getAttribute('href'), e.textContent])"
    )


def _open(page, port: int, host: str, path: str) -> dict:  # type: ignore[no-untyped-def]
    page.goto(url(port, host, path))
    page.wait_for_load_state("load")
    return page.evaluate(MEASURE)


@pytest.mark.parametrize(
    "username", ["layout_admin", "branchsec", "townsec", "member", "layout_applicant"]
)
def test_every_menu_page_fits_a_phone(browser, live_server_port, long_names, alpha, username):
    ctx = browser.new_context(**PHONE)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server_port, alpha.host, username, PASSWORD)
        menu = _menu(page)
        assert len(menu) >= 3
        problems = []
        for href, label in menu:
            m = _open(page, live_server_port, alpha.host, href)
            where = f"{username} {href}"
            if m["width"] > 390:
                problems.append(f"{where}: page {m['width']} px wide")
            if m["topbar"] >= TOPBAR_MAX:
                problems.append(f"{where}: top bar {m['topbar']:.0f} px tall")
            if m["siteLines"] != 1 or m["siteClipped"]:
                problems.append(f"{where}: site name not on one whole line")
            if m["nav"]["height"] >= TOPBAR_MAX:
                problems.append(f"{where}: menu row {m['nav']['height']:.0f} px tall")
            if m["currentCount"] != 1 or m["current"]["text"] != label:
                problems.append(f"{where}: menu highlights {m['current']} not {label}")
            elif not (
                m["nav"]["left"] - 1 <= m["current"]["left"]
                and m["current"]["right"] <= m["nav"]["right"] + 1
            ):
                problems.append(f"{where}: highlighted item {label} out of view")
        assert not problems, "\n".join(problems)
        assert not errors, errors
    finally:
        ctx.close()


def test_the_member_s_own_record_highlights_my_information(page_factory, live_server_port, alpha):
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
    m = _open(page, live_server_port, alpha.host, "/members/me/")  # redirects to /members/<id>/
    assert page.url.rstrip("/").split("/")[-1].isdecimal()
    assert m["current"]["text"] == "我的信息"


def test_date_boxes_are_styled_and_tall_enough_to_tap(page_factory, live_server_port, alpha):
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/dues/"))
    month = page.locator("input[type=month]").first
    box = month.bounding_box()
    assert box is not None and box["height"] >= 40
    font = month.evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" not in font
    assert font == page.evaluate("getComputedStyle(document.body).fontFamily")
    labels = page.locator("form label").all_inner_texts()
    assert labels and all(not text.rstrip().endswith(":") for text in labels), labels


def test_desktop_keeps_the_side_menu_and_a_slim_top_bar(
    browser, live_server_port, long_names, alpha
):
    ctx = browser.new_context(**DESKTOP)
    try:
        page = ctx.new_page()
        login(page, live_server_port, alpha.host, "layout_admin", PASSWORD)
        for href, _label in _menu(page):
            m = _open(page, live_server_port, alpha.host, href)
            assert m["width"] <= 1440, href
            assert m["topbar"] < TOPBAR_MAX, href
            # The menu is a column beside the page, not a row above it.
            assert m["nav"]["right"] < 300 and m["nav"]["height"] > 400, href
        name = page.inner_text(".topbar__name")
        assert name == EXTRA["layout_admin"][0]
        assert page.evaluate(
            "(() => { const e = document.querySelector('.topbar__name');"
            " return e.scrollWidth <= e.clientWidth; })()"
        ), "the whole name shows on a desktop"
    finally:
        ctx.close()
