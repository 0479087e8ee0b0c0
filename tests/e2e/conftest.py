"""Browser tests: Playwright driving Debian's Chromium against a live daphne."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator

import pytest
from django import forms

from tests.support.otp import complete_in_page

# Playwright's sync API keeps an event loop running in the test thread, where Django
# refuses ORM calls: tests run theirs through tests.support.threads.in_thread.

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("ZHDJ_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed (make test installs Debian's chromium)")
    # Package scope: Playwright's loop stops when the browser tests are done, so the
    # tests that run after them get a thread without a running event loop.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser, live_server_port):  # type: ignore[no-untyped-def]
    contexts = []

    def make(*, phone: bool = False):  # type: ignore[no-untyped-def]
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def url(port: int, host: str, path: str = "/") -> str:
    return f"http://{host}:{port}{path}"


def assert_fits_phone(page, width: int = 390) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the phone's screen: no sideways scrolling."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at phone width"


def form_classes(module_name: str) -> set[str]:
    """The dotted names of the form classes a views module uses, for the ``COVERED`` lists
    that keep every form under a browser round trip."""
    module = importlib.import_module(module_name)
    return {
        f"{obj.__module__}.{obj.__qualname__}"
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, forms.BaseForm)
    }


def login(page, port: int, host: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url(port, host, "/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    complete_in_page(page, host, username)  # 动态口令, for the roles that require it


def pick(page, field: str, text: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose in a type-to-search picker (static/js/picker.js): type ``text`` into the box
    of the field's <select> ``field`` (``#id_<name>_search``), then click the answer
    containing ``option``."""
    box = page.locator(f"{field}_search")
    box.click()
    box.fill(text)
    page.locator("[role=option]", has_text=option).first.click()
