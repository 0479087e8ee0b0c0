"""Idle timeout without a session write per request (zhdj.web.sessions)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from tests.conftest import logged_in
from tests.support.world import ALPHA
from zhdj.web.sessions import TOUCHED

pytestmark = pytest.mark.django_db


def _expiry(client) -> object:  # type: ignore[no-untyped-def]
    from django.conf import settings

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_the_expiry_slides_at_most_once_a_minute(settings):
    client = logged_in(ALPHA.host, "admin")
    assert client.get("/members/").status_code == 200
    first = _expiry(client)
    assert client.get("/members/").status_code == 200
    assert _expiry(client) == first  # the second request within the minute wrote nothing

    session = client.session
    session[TOUCHED] = session[TOUCHED] - settings.ZHDJ_SESSION_REFRESH_SECONDS
    session.save()
    saved = _expiry(client)
    assert client.get("/members/").status_code == 200
    assert _expiry(client) > saved  # a minute on: pushed forward


def test_an_anonymous_visit_writes_no_session():
    from tests.conftest import host_client

    before = Session.objects.count()
    assert host_client(ALPHA.host).get("/accounts/login/").status_code == 200
    assert Session.objects.count() == before
