"""Sliding session expiry (会话超时): a signed-in session ends after ``SESSION_COOKIE_AGE``
seconds without a request (等保: idle sessions are closed).

Django's ``SESSION_SAVE_EVERY_REQUEST`` does this by writing the session row on every
request: an UPDATE and a transaction on each page and API call (bench/members.py: ~2 ms of
every member-list request). Here the expiry is pushed forward at most once per
``ZHDJ_SESSION_REFRESH_SECONDS`` (60): a session then ends between ``SESSION_COOKIE_AGE``
minus that and ``SESSION_COOKIE_AGE`` seconds after its last request. Anonymous visitors get
no session written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

TOUCHED = "_zhdj_touched"


class SessionRefreshMiddleware:
    """Goes right after ``SessionMiddleware``: marking the session modified here makes that
    middleware save it (with a new expiry) on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.every = settings.ZHDJ_SESSION_REFRESH_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.session_key is None:
            return response
        if SESSION_KEY not in session:  # signed out or never signed in
            return response
        now = int(time.time())
        if now - session.get(TOUCHED, 0) >= self.every:
            session[TOUCHED] = now
        return response
