"""Page access by site and role. Every page view goes through one of these.

County pages require a county host and a user of that county's schema; public
pages require the city site and a city or ops user. A user object always comes
from the schema of the host it logged in on, so these checks plus host-only
cookies keep one county's login out of every other site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from shared.accounts.models import User
from zhdj.errors import AccessDenied

View = Callable[..., HttpResponse]


def resolve_scope(request: HttpRequest) -> Any:
    """The user's organization scope, from the access layer (``ZHDJ_SCOPE_RESOLVER``: the
    glue is configured with it, as the city site's apps may not import county ones).

    Called by the base classes only: every county page (``county_page``, ``scoped_page``)
    leaves it on ``request.org_scope`` and hands it to scoped views; endpoints get it as
    ``self.scope`` (``zhdj.api.TenantAPIMixin``)."""
    return import_string(settings.ZHDJ_SCOPE_RESOLVER)(request)


# How a view declared its access (``view.zhdj_access``); a test walks the URLconfs and
# fails on a view without one (tests/zhdj/web/test_access_declared.py).
OPEN, PUBLIC, COUNTY, SCOPED = "open", "public", "county", "scoped"


def declared(kind: str) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.zhdj_access = kind  # type: ignore[attr-defined]
        return view

    return mark


def open_page(view: View) -> View:
    """A page anyone may open without logging in (login, verification of a letter, a
    payment gateway's notification). Declared, so that it is a choice, not an oversight."""
    return declared(OPEN)(view)


def _guard(request: HttpRequest, *, public: bool, roles: Iterable[str] | None) -> None:
    on_public = getattr(request, "tenant", None) is None
    if on_public != public:
        raise Http404("页面不存在")
    if not public and connection.schema_name != request.tenant.schema_name:
        raise PermissionDenied  # never serve a county page from another schema
    if roles is not None and request.user.role not in set(roles):
        raise PermissionDenied


def _page(*, public: bool, roles: Iterable[str] | None) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            on_public = getattr(request, "tenant", None) is None
            if on_public != public:
                raise Http404("页面不存在")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            _guard(request, public=public, roles=roles)
            if not public:
                request.org_scope = resolve_scope(request)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return declared(PUBLIC if public else COUNTY)(wrapper)

    return decorate


def county_page(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """A page on a county host about the user's own things only (their notifications,
    their password), which needs no organization scope."""
    return _page(public=False, roles=roles)


def scoped_page(
    roles: Iterable[str] | None = None,
    *,
    manages: bool = False,
    permission: str | None = None,
) -> Callable[[View], View]:
    """A county page handed the organization scope of its user as ``scope=``: the view never
    computes it. With ``manages``, a page of post holders and administrators; with
    ``permission``, of users whose posts carry it somewhere. Others get 403 (denied, not
    missing). Which organization a write may touch is the service's check."""

    def decorate(view: View) -> View:
        @wraps(view)
        def scoped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            scope = request.org_scope  # type: ignore[attr-defined]  (county_page set it)
            if manages and not scope.manages_orgs:
                raise PermissionDenied
            if permission is not None and not scope.has(permission):
                raise PermissionDenied
            try:
                return view(request, *args, scope=scope, **kwargs)
            except AccessDenied as denied:  # a service refused what the view let through
                raise PermissionDenied(denied.message) from denied

        return declared(SCOPED)(county_page(roles)(scoped))

    return decorate


def public_page(roles: Iterable[str]) -> Callable[[View], View]:
    """A page on the city site for city or ops users."""
    return _page(public=True, roles=roles)


OPS = (User.Role.OPS,)
CITY = (User.Role.CITY, User.Role.OPS)
COUNTY_ADMIN = (User.Role.COUNTY_ADMIN,)
