"""Every page and endpoint declares its access through the access glue, so a new view
cannot forget its tenant, its user or its scope.

Pages: ``scoped_page`` (handed the organization scope), ``county_page`` (the user's own
things only: the list of those is kept here, so using it is a decision), ``public_page``
(the city site) or ``open_page`` (no login). Endpoints: ``zhdj.api.TenantAPIMixin``
(which resolves the scope before the handler) or a declared open endpoint.
"""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

from django.urls import URLPattern, URLResolver
from rest_framework.views import APIView

from zhdj.api import TenantAPIMixin
from zhdj.web.access import COUNTY, OPEN, PUBLIC, SCOPED

ROOT = Path(__file__).resolve().parents[3]
URLCONFS = ("zhdj.urls_tenant", "zhdj.urls_public")
# Not ours: Django's admin (staff only, its own guard) and static files.
SKIPPED = ("admin/", "static/")

# county_page views: pages about the user's own things, which need no organization scope.
OWN_THINGS = {
    "api-root",
    "notifications:list",
    "notifications:read",
    "notifications:read-all",
    "accounts:password_change",  # the user's own password, on the city site too
    "accounts:otp_verify",  # the user's own 动态口令: the code after the password,
    "accounts:otp_setup",  # binding a device,
    "accounts:otp_manage",  # its status and recovery codes
    "accounts:sessions",  # the user's own 登录设备 (sessions),
    "accounts:session_end",  # and ending one or all others of them
}


def _routes() -> list[tuple[str, str, object]]:
    found: list[tuple[str, str, object]] = []

    def visit(patterns, prefix: str, namespace: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            text = prefix + str(p.pattern)
            if text.lstrip("^").startswith(SKIPPED):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                visit(p.url_patterns, text, ns)
            elif isinstance(p, URLPattern):
                found.append((text, f"{namespace}{p.name or ''}", p.callback))

    for urlconf in URLCONFS:
        visit(import_module(urlconf).urlpatterns, "", "")
    return found


def _declared(callback: object) -> str | None:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if isinstance(view, type) and issubclass(view, APIView):
        if issubclass(view, TenantAPIMixin):
            return SCOPED
        return getattr(view, "zhdj_access", None)
    if view is not None:
        return getattr(view, "zhdj_access", None)
    return getattr(callback, "zhdj_access", None)


def test_every_page_and_endpoint_declares_its_access():
    undeclared = [f"{route} ({name})" for route, name, cb in _routes() if _declared(cb) is None]
    assert not undeclared, "declare access through zhdj.web.access / zhdj.api:\n" + "\n".join(
        undeclared
    )


def test_county_pages_without_scope_are_the_users_own_things():
    unscoped = {name for _route, name, cb in _routes() if _declared(cb) == COUNTY}
    assert unscoped <= OWN_THINGS, (
        "these county pages get no scope; use scoped_page, or add them to OWN_THINGS if "
        f"they show only the user's own things: {sorted(unscoped - OWN_THINGS)}"
    )


def test_the_kinds_are_the_four_known_ones():
    kinds = {_declared(cb) for _route, _name, cb in _routes()}
    assert kinds <= {SCOPED, COUNTY, PUBLIC, OPEN}


# --- No view computes its scope --------------------------------------------------------

# Who may compute a scope from a user: the access layer, the glue that hands it over, and
# queued jobs acting for the user who queued them (no request to hand it over).
# The live dashboard's websocket consumer has no page base class: it resolves the scope
# through the glue's one function when the socket connects.
MAY_COMPUTE = (
    "shared/rollups/consumers.py",
    "tenants/access/",
    "src/zhdj/",
    "tenants/imports/jobs.py",
    "tenants/logins/tasks.py",
)
# Demo seeders act as the demo's named users.
DEMO = "/demo.py"


def _calls(path: Path, names: set[str]) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in names)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in names)
        )
    ]


def test_no_app_computes_a_scope_itself():
    offenders = []
    for base in ("tenants", "shared"):
        for path in sorted((ROOT / base).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(MAY_COMPUTE) or relative.endswith(DEMO):
                continue
            if "/migrations/" in relative:
                continue
            for line in _calls(path, {"request_scope", "scope_for", "resolve_scope"}):
                offenders.append(f"{relative}:{line}")
    assert not offenders, "views receive the scope; they do not compute it:\n" + "\n".join(
        offenders
    )


def test_the_city_sites_permission_codes_are_the_access_layers():
    from shared.rollups.views import STATISTICS
    from tenants.access.permissions import Perm
    from zhdj.web.navigation import COUNTY_NAV

    assert STATISTICS == Perm.STATS_VIEW
    assert {item.permission for item in COUNTY_NAV if item.permission} <= set(Perm)
