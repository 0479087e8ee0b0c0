"""The Content Security Policy in Chromium (issue 17, zhdj/web/csp.py): the pages with
the most script — the city dashboard (ECharts, its live websocket), the e-map (Leaflet),
the member list, a member's dues page and the payment through the gateway double (a
form to the public host and back) — run with the policy enforced, and the browser
reports no violation: no console message about the policy and no
``securitypolicyviolation`` event."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, url
from tests.e2e.test_dues import _bill, _clean
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]

# Every violation the document sees, recorded before any script of the page runs.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
                    + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """Console messages about the policy, and the violation events of each document."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.console: list[str] = []
        self.events: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(f"{self.page.url}: {text}")

    def collect(self) -> None:
        self.events += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp || []")]

    def assert_clean(self) -> None:
        self.collect()
        assert self.console == [], self.console
        assert self.events == [], self.events


def _policy(page, address: str) -> str:  # type: ignore[no-untyped-def]
    response = page.goto(address)
    policy = response.headers.get("content-security-policy", "")
    # A page with inline script names its nonce; one without has 'self' alone.
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy
    return policy


def _rollup() -> None:
    from shared.rollups.services import rollup_city

    rollup_city()


def test_the_city_dashboard_and_map_run_under_the_policy(page_factory, live_server_port, committed):
    in_thread(_rollup)
    page = page_factory()
    watch = Watch(page)
    login(page, live_server_port, CITY_HOST, "city", PASSWORD)
    _policy(page, url(live_server_port, CITY_HOST, "/dashboard/"))
    page.wait_for_selector("#chart-ranking[data-rendered='1']")
    page.wait_for_selector("#dashboard[data-live='1']")  # the websocket is open
    # A tooltip (drawn inside the chart, not as HTML with style attributes).
    box = page.locator("#chart-ranking").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    # The chart's SVG text keeps its font (set through the CSSOM, not refused).
    font = page.eval_on_selector("#chart-ranking svg text", "t => t.style.font || t.style.fontSize")
    assert font
    watch.collect()
    _policy(page, url(live_server_port, CITY_HOST, "/dashboard/map/"))
    page.wait_for_selector("#emap[data-rendered='1']")
    watch.assert_clean()


def test_county_pages_run_under_the_policy(page_factory, live_server_port, committed, alpha):
    page = page_factory()
    watch = Watch(page)
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    for path in ("/", "/members/", "/dues/", "/orgs/"):
        _policy(page, url(live_server_port, alpha.host, path))
        page.wait_for_load_state("networkidle")
        watch.collect()
    page.wait_for_timeout(200)
    watch.assert_clean()
    # The watch sees a violation: markup with a style attribute and an inline handler.
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
             '<span style="color: red">x</span><img src="data:," onerror="window.__ran = 1">')"""
    )
    page.wait_for_timeout(300)
    watch.collect()
    assert any("style-src" in v for v in watch.events), watch.events
    assert any("script-src" in v for v in watch.events), watch.events
    assert page.evaluate("window.__ran") is None


@pytest.mark.parametrize("channel", ["alipay", "unionpay"])
def test_paying_dues_runs_under_the_policy(browser, live_server_port, committed, alpha, channel):
    """The checkout form goes to the gateway (here the double on the public host), the
    double sends the payer back (UnionPay: a form POST): form-action allows each step."""
    in_thread(lambda: _bill(alpha.schema))
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = ctx.new_page()
        watch = Watch(page)
        login(page, live_server_port, alpha.host, "member", PASSWORD)
        _policy(page, url(live_server_port, alpha.host, "/dues/mine/"))
        watch.collect()
        page.check(f"input[name=channel][value={channel}]")
        page.click("[data-testid=pay-button]")
        page.wait_for_selector("[data-testid=double-cashier]")
        watch.collect()
        page.click("[data-testid=double-confirm]")
        page.wait_for_selector("[data-testid=pay-result]")
        assert page.url.startswith(url(live_server_port, alpha.host, "/dues/mine/orders/"))
        watch.assert_clean()
    finally:
        ctx.close()
        in_thread(lambda: _clean(alpha.schema))


def test_the_api_description_runs_under_the_policy(page_factory, live_server_port, alpha):  # type: ignore[no-untyped-def]
    """Swagger UI (drf-spectacular) from our own static files, its start script a file."""
    page = page_factory()
    watch = Watch(page)
    _policy(page, url(live_server_port, alpha.host, "/api/docs/"))
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "智慧党建云 API" in page.inner_text(".swagger-ui .info .title")
    watch.assert_clean()
