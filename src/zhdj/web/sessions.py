"""Session timeouts (会话超时, 等保: idle sessions are closed, no session lasts for ever).

Idle timeout: a signed-in session ends ``SESSION_COOKIE_AGE`` seconds after its user's
last real request. Django's ``SESSION_SAVE_EVERY_REQUEST`` would write the session row on
every request (bench/members.py: ~2 ms of every member-list request); here the expiry is
pushed forward at most once per ``ZHDJ_SESSION_REFRESH_SECONDS`` (60), so a session ends
between ``SESSION_COOKIE_AGE`` minus that and ``SESSION_COOKIE_AGE`` seconds after its last
request. Anonymous visitors get no session written.

Only real activity counts. Requests a page makes by itself carry the header
``X-ZHDJ-Background: 1`` and never push the expiry forward: the dashboard's refresh after
a rollup (shared/rollups/static/rollups/dashboard.js), the HTMX polling of an import or
onboarding job (``hx-headers`` on imports/_job.html, customers/_job_progress.html), the
payment status polling (dues/paid.html, dues/mine.html). The websockets (notification bell,
dashboard) never touch the session at all.

Absolute cap: a session ends ``ZHDJ_SESSION_MAX_AGE`` (12 h) after login whatever happens
(``shared.accounts.sessions``).

An ended session (idle, capped, ended from another device, the user disabled or the
password changed): a page request goes to the login page with 会话已超时，请重新登录; an API
or background request gets 401 and that message in JSON; an HTMX request is sent to the
login page (``HX-Redirect``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from shared.accounts.sessions import LOGIN_AT, TOUCHED, past_cap, session_capped, touched
from zhdj.probes import PROBE_PATHS

BACKGROUND_HEADER = "X-ZHDJ-Background"
ENDED_MESSAGE = "会话已超时，请重新登录。"
ENDED = "zhdj_session_ended"
HAD_LOGIN = "zhdj_session_had_login"
# Pages an ended session still reaches as an anonymous visitor (the message is shown there).
EXEMPT_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_code",
)
EXEMPT_PREFIXES = (*PROBE_PATHS, "/ops/health/")


def is_background(request: HttpRequest) -> bool:
    """A request the page made by itself (polling, refresh), not its user."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


class SessionRefreshMiddleware:
    """Goes right after ``SessionMiddleware``: ends a session past its absolute cap, notes
    a cookie that names no session any more, and slides the expiry forward on real
    activity (marking the session modified makes ``SessionMiddleware`` save it, with a new
    expiry, on the way out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.every = settings.ZHDJ_SESSION_REFRESH_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        ended = had_login = False
        if session is not None and request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            if SESSION_KEY in session:
                had_login = True
                if past_cap(session):
                    session_capped(request=request, session=session)
                    session.flush()
                    ended = True
            else:
                # The cookie names a session the store no longer has: it expired or was
                # ended (a live anonymous session, e.g. a password reset, keeps its key).
                ended = session.session_key is None
        setattr(request, ENDED, ended)
        setattr(request, HAD_LOGIN, had_login)
        response = self.get_response(request)
        if session is None or session.modified or session.session_key is None:
            return response
        if SESSION_KEY not in session or is_background(request):
            return response
        now = int(time.time())
        if now - session.get(TOUCHED, 0) >= self.every:
            session[TOUCHED] = now
            session.setdefault(LOGIN_AT, now)  # sessions from before the cap existed
            touched(session.session_key)
        return response


class SessionEndedMiddleware:
    """Goes after ``MessageMiddleware``: answers a request whose session has ended."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.files = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._ended(request):
            answer = self._answer(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    @staticmethod
    def _ended(request: HttpRequest) -> bool:
        if getattr(request, ENDED, False):
            return True
        # Signed in when the request came, refused by authentication (user disabled, the
        # password changed elsewhere: Django flushed the session).
        user = getattr(request, "user", None)
        return bool(getattr(request, HAD_LOGIN, False)) and not (
            user is not None and user.is_authenticated
        )

    def _answer(self, request: HttpRequest) -> HttpResponse | None:  # noqa: PLR0911
        path = request.path_info
        if path.startswith(self.files) or path.startswith(EXEMPT_PREFIXES):
            return None
        if path in self._exempt_paths():
            if request.method == "GET":
                messages.warning(request, ENDED_MESSAGE)
            return None
        if path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                return None  # not a session client
            return JsonResponse({"detail": ENDED_MESSAGE, "code": "session_ended"}, status=401)
        login = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            response = HttpResponse(ENDED_MESSAGE, status=401, content_type="text/plain")
            response["HX-Redirect"] = login
            return response
        if is_background(request) or _wants_json(request):
            return JsonResponse({"detail": ENDED_MESSAGE, "code": "session_ended"}, status=401)
        messages.warning(request, ENDED_MESSAGE)
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), login)
        return redirect_to_login("/", login)

    @staticmethod
    def _exempt_paths() -> set[str]:
        paths = set()
        for name in EXEMPT_NAMES:
            try:
                paths.add(reverse(name))
            except NoReverseMatch:
                continue
        return paths


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept
