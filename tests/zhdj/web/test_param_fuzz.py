"""Tampered input on every county and city page (issue 15): never a 5xx, never a filter
silently dropped, nothing half-written.

The pages are found by walking the URLconfs (``tests.support.sweep.walk``); each page's
forms are read from its HTML, and every field a form declares gets tampered values: in the
query string for a GET form, posted for a POST form. A refused POST (anything but a
redirect) must leave every table of the county and of the public schema as it was.
Everything runs in the test's transaction and is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.conftest import logged_in
from tests.support.sweep import Route, county_catalog, kind_of, walk
from tests.support.world import ALPHA, CITY_HOST
from zhdj.probes import PROBE_PATHS

# What a tampering user types or forges: wrong types, out-of-range numbers and dates,
# control characters, emoji, a right-to-left override, 10,000 characters.
TAMPERED = [
    "abc",
    "999999999999999999999",
    "-1",
    "0",
    "1.5",
    "9999-99-99",
    "0000-00-00",
    "99999-01-01",
    "2026-02-30",
    "a\x01\x07\x1fb",
    "😀🇨🇳",
    "\u202eabc",
    "x" * 10_000,
]
NUL = "a\x00b"
# The health probe answers 503 by design while no Celery worker runs (tests/zhdj/web/
# test_page_sweep.py); the API is fuzzed from its schema (tests/zhdj/test_api_fuzz.py).
SKIPPED_PAGES = (
    *(path.strip("/") for path in PROBE_PATHS),
    "ops/health/",
    "api/",
    "pay/double/",
)
# Forms whose POST ends the session or belongs to a gateway stand-in, not to our input.
SKIPPED_ACTIONS = ("/accounts/logout/", "/pay/double/")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values as sent
    files: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """The forms of a page: their fields with the values a browser would send."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url, self.forms, self._form, self._select = url, [], None, None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.url
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name", "")
        if form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                form.files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.setdefault(name, []).append(a.get("value") or "on")
                else:
                    form.fields.setdefault(name, [])
            elif kind not in ("submit", "button", "image", "reset"):
                form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            form.fields.setdefault(name, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(url: str, html: str) -> list[Form]:
    parser = _Forms(url)
    parser.feed(html)
    return parser.forms


def _pages(urlconf: str, catalog: dict[str, list[str]]) -> Iterator[str]:
    """One URL per page of ``urlconf`` that the world can fill (API routes excluded:
    tests/zhdj/test_api_fuzz.py fuzzes them from their schema)."""
    for route in walk(urlconf):
        if route.is_api or route.template.startswith(SKIPPED_PAGES):
            continue
        url = _fill(route, catalog)
        if url is not None:
            yield url


def _fill(route: Route, catalog: dict[str, list[str]]) -> str | None:
    text = route.template
    for param in route.params:
        try:
            values = catalog.get(kind_of(route, param)) or []
        except AssertionError:
            values = []
        if not values:
            return None  # no such object in the test world: the page sweep covers it
        text = text.replace(f"<{param.name}>", values[0])
    return "/" + text


# Logs of the attempt itself, written whatever its outcome: a refused reveal, a wrong
# password, a failed login are security events by design, not a half-done write.
LOGS = ("accounts_securityevent", "axes_accessattempt", "axes_accessfailurelog")


def _row_counts() -> dict[str, int]:
    """Rows of every table of the current county schema and of public, but the logs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, relname FROM pg_stat_user_tables"
            " WHERE schemaname IN (current_schema(), 'public') AND NOT relname = ANY(%s)",
            [list(LOGS)],
        )
        tables = cursor.fetchall()
        if not tables:
            return {}
        cursor.execute(
            " UNION ALL ".join(f'SELECT \'{s}.{t}\', count(*) FROM "{s}"."{t}"' for s, t in tables)
        )
        return dict(cursor.fetchall())


@dataclass
class Findings:
    items: list[str] = field(default_factory=list)
    requests: int = 0

    def report(self) -> str:
        return f"{len(self.items)} finding(s) in {self.requests} requests:\n" + "\n".join(
            sorted(set(self.items))[:80]
        )


def _close(response) -> None:  # type: ignore[no-untyped-def]
    """Close a download's file (a FileResponse holds it open) without the request signal
    closing the test's database connection (Django's test client does the same)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _get(client: Client, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    response = client.get(url, data or {})
    _close(response)
    connection.set_schema_to_public()
    return response


def _variants(form: Form) -> Iterator[tuple[str, dict[str, object]]]:
    """Every field at once with each tampered value; each field alone with a few."""
    base = {k: v for k, v in form.fields.items() if v}
    tamperable = [k for k in form.fields if k != "csrfmiddlewaretoken"]
    for value in TAMPERED:
        yield f"all={value[:12]!r}", {**base, **dict.fromkeys(tamperable, value)}
    yield "wrong type (a list)", {**base, **{k: ["1", "abc"] for k in tamperable}}
    for name in tamperable:
        for value in ("abc", "999999999999999999999", "x" * 10_000):
            yield f"{name}={value[:12]!r}", {**base, name: value}


def _sweep_get_forms(
    client: Client, urls: list[str], findings: Findings, *, fuzz: bool = True
) -> list[Form]:
    """GET each page, tamper with its GET forms (unless not ``fuzz``); its POST forms."""
    posts = []
    for url in urls:
        page = _get(client, url)
        findings.requests += 1
        if page.status_code >= 500:
            findings.items.append(f"GET {url} → {page.status_code}")
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in forms_of(url, page.content.decode()):
            action = urlsplit(form.action).path or url
            if urlsplit(form.action).netloc or action.startswith(SKIPPED_ACTIONS):
                continue
            form.action = action
            if form.method == "post":
                posts.append(form)
                continue
            if not fuzz:
                continue
            for label, data in _variants(form):
                response = _get(client, action, data)
                findings.requests += 1
                if response.status_code >= 500:
                    findings.items.append(f"GET {action} {label} → {response.status_code}")
    return posts


def _sweep_posts(client: Client, posts: list[Form], schema: str, findings: Findings) -> None:
    seen = set()
    # The row counts as they are now. After a refused post they are the ones just counted
    # to judge it (nothing runs in between), so they are counted again only after an
    # accepted post, which writes: one count per refused post instead of two.
    counts: dict[str, int] | None = None
    for form in posts:
        key = (form.action, tuple(sorted(form.fields)))
        if key in seen:
            continue
        seen.add(key)
        for label, data in _variants(form):
            if counts is None:
                with schema_context(schema):
                    counts = _row_counts()
            before = counts
            response = client.post(form.action, data)
            _close(response)
            connection.set_schema_to_public()
            findings.requests += 1
            where = f"POST {form.action} {label}"
            if response.status_code >= 500:
                findings.items.append(f"{where} → {response.status_code}")
            if response.status_code in (301, 302, 303):
                counts = None
                continue  # accepted: a write is what was asked for
            with schema_context(schema):
                after = counts = _row_counts()
            changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
            if changed:
                findings.items.append(f"{where} → {response.status_code} but wrote {changed}")


def _first(catalog: object) -> dict[str, list[str]]:
    """The sweep's catalog: the first values per kind (a plain dict in older versions)."""
    return getattr(catalog, "first", catalog)  # type: ignore[return-value]


def _county_catalog() -> dict[str, list[str]]:
    catalog = _first(county_catalog(ALPHA.schema, []))
    connection.set_schema_to_public()
    return catalog


@pytest.mark.parametrize("username", ["admin", "member"])
def test_tampered_queries_never_fail_on_a_county_page(db, username: str) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(ALPHA.host, username)
    client.raise_request_exception = False
    urls = list(_pages("zhdj.urls_tenant", _county_catalog()))
    assert len(urls) >= 30, urls
    findings = Findings()
    _sweep_get_forms(client, urls, findings)
    assert not findings.items, findings.report()


def test_tampered_posts_never_fail_or_half_write_on_a_county_page(db) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(ALPHA.host, "admin")
    client.raise_request_exception = False
    findings = Findings()
    # The POST forms only: the GET forms of the same pages for the same user are tampered
    # with by test_tampered_queries_never_fail_on_a_county_page[admin].
    posts = _sweep_get_forms(
        client, list(_pages("zhdj.urls_tenant", _county_catalog())), Findings(), fuzz=False
    )
    assert len(posts) >= 10, [p.action for p in posts]
    _sweep_posts(client, posts, ALPHA.schema, findings)
    assert not findings.items, findings.report()


@pytest.mark.parametrize("username", ["city", "ops"])
def test_tampered_input_never_fails_on_a_city_page(db, username: str) -> None:  # type: ignore[no-untyped-def]
    from tests.support.sweep import city_catalog

    client = logged_in(CITY_HOST, username)
    client.raise_request_exception = False
    catalog = _first(city_catalog())
    urls = list(_pages("zhdj.urls_public", catalog))
    assert len(urls) >= 8, urls
    findings = Findings()
    posts = _sweep_get_forms(client, urls, findings)
    _sweep_posts(client, posts, "public", findings)
    assert not findings.items, findings.report()


def test_a_nul_is_refused_with_a_message(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    page = alpha_admin.get("/members/", {"q": NUL})
    assert page.status_code == 400
    assert "含有不可见的空字符" in page.content.decode()
    posted = alpha_admin.post("/notifications/compose/", {"title": NUL, "body": "x"})
    assert posted.status_code == 400
    assert "含有不可见的空字符" in posted.content.decode()
    api = alpha_admin.get("/api/members/", {"q": NUL})
    assert api.status_code == 400
    assert api.json() == {"q": ["“q”含有不可见的空字符（NUL），请删除后重试。"]}
    body = alpha_admin.post(
        "/api/proposals/", {"changes": {"phone": NUL}}, content_type="application/json"
    )
    assert body.status_code == 400
    assert list(body.json()) == ["changes"]


def test_a_refused_filter_never_widens_the_member_list(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    everyone = alpha_admin.get("/members/")
    assert everyone.context["page"].paginator.count == 4
    for query in ({"org": "abc"}, {"org": "999999999999999999999"}, {"age_min": "-1"}):
        page = alpha_admin.get("/members/", query)
        assert page.status_code == 400, query
        assert page.context["page"].paginator.count == 0, query
        assert page.context["form"].errors, query


def test_an_export_with_a_refused_filter_exports_nothing(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    from tenants.imports.models import ExportLog

    with schema_context(ALPHA.schema):
        logs = ExportLog.objects.count()
    response = alpha_admin.get("/imports/members/export.xlsx", {"org": "abc"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "未导出任何数据" in text and "组织（含下级）" in text
    assert alpha_admin.get("/stats/export.xlsx", {"on": "9999-99-99"}).status_code == 400
    assert alpha_admin.get("/dues/export/", {"month": "2026-13"}).status_code == 400
    with schema_context(ALPHA.schema):
        assert ExportLog.objects.count() == logs


def test_pages_refuse_filters_they_cannot_apply(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    for url, query in [
        ("/development/", {"org": "abc"}),
        ("/development/", {"org": "987654"}),
        ("/dues/", {"month": "9999-99"}),
        ("/stats/", {"on": "9999-99-99"}),
    ]:
        response = alpha_admin.get(url, query)
        assert response.status_code == 400, (url, query)
        assert 'class="errorlist"' in response.content.decode(), (url, query)
    auditor = logged_in(ALPHA.host, "shenji")  # the audit pages are the auditor's (三员分立)
    for url, query in [
        ("/audit/", {"kind": "nonexistent"}),
        ("/audit/events/", {"kind": "nonexistent"}),
        ("/audit/events/", {"date_from": "9999-99-99"}),
    ]:
        response = auditor.get(url, query)
        assert response.status_code == 400, (url, query)
        assert 'class="errorlist"' in response.content.decode(), (url, query)


def test_the_api_refuses_filters_it_cannot_apply(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    for url, query, name in [
        ("/api/members/", {"org": "abc"}, "org"),
        ("/api/members/", {"org": "999999999999999999999"}, "org"),
        ("/api/transfers/", {"state": "nonexistent"}, "state"),
        ("/api/development/", {"status": "nonexistent"}, "status"),
        ("/api/dues/bills/", {"month": "9999-99-99"}, "month"),
        ("/stats/api/", {"on": "9999-99-99"}, "on"),
    ]:
        response = alpha_admin.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (url, query)
        messages = response.json()[name]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    assert alpha_admin.get("/api/members/", {"page": "9" * 21}).status_code == 404
    auditor = logged_in(ALPHA.host, "shenji")
    assert auditor.get("/audit/", {"page": "9" * 21}).status_code == 200  # the first page
    missing = alpha_admin.get("/api/transfers/abc/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "未找到该记录。"}
