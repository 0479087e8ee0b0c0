"""API rate limits: per user and per anonymous address, a Chinese 429, and a cache outage
that lets requests through instead of failing them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from tests.conftest import host_client
from tests.support.world import ALPHA, BETA, PASSWORD
from zhdj import throttling

pytestmark = pytest.mark.django_db


def rates(user: str = "600/min", anon: str = "60/min"):  # type: ignore[no-untyped-def]
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon},
        }
    )


@pytest.fixture(autouse=True)
def _clean_counters():  # type: ignore[no-untyped-def]
    """The counters live in Redis, outside the test's transaction."""
    cache.clear()
    throttling.outage.down = False
    yield
    cache.clear()


def signed_in(host: str, username: str = "member"):  # type: ignore[no-untyped-def]
    client = host_client(host)
    assert (
        client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_the_rates_come_from_the_environment_with_production_defaults():
    from zhdj.settings import base

    source = Path(base.__file__).read_text(encoding="utf-8")
    assert 'env("ZHDJ_API_THROTTLE_USER", default="600/min")' in source
    assert 'env("ZHDJ_API_THROTTLE_ANON", default="60/min")' in source
    # The value in effect is the environment's (tests.settings sets it), not the default.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"user": "100000/min", "anon": "100000/min"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "zhdj.throttling.UserThrottle",
        "zhdj.throttling.AnonThrottle",
    ]


def test_a_user_over_the_rate_gets_a_chinese_429():
    client = signed_in(ALPHA.host)
    with rates(user="3/min"):
        answers = [client.get("/api/notifications/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[-1].json()
    assert body["detail"].startswith("请求过于频繁，请") and "秒后再试" in body["detail"]
    assert int(answers[-1]["Retry-After"]) > 0


def test_each_user_and_each_county_has_its_own_counter():
    alpha, beta = signed_in(ALPHA.host), signed_in(BETA.host)
    other = signed_in(ALPHA.host, "branchsec")
    with rates(user="2/min"):
        assert [alpha.get("/api/notifications/").status_code for _ in range(3)] == [200, 200, 429]
        assert beta.get("/api/notifications/").status_code == 200
        assert other.get("/api/notifications/").status_code == 200


def test_anonymous_clients_are_counted_by_the_address_our_proxy_saw():
    with rates(anon="2/min"), override_settings(ZHDJ_TRUSTED_PROXIES=1):
        client = host_client(ALPHA.host)
        same = [
            client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 10.0.0.5").status_code
            for n in range(3)
        ]
        assert same == [200, 200, 429]  # a new leftmost entry each time changes nothing
        assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="10.0.0.6").status_code == 200


class DeadCache:
    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:1.")

        return fail


def test_the_api_answers_when_the_cache_is_down_and_logs_it_once(monkeypatch, caplog):
    client = signed_in(ALPHA.host)
    monkeypatch.setattr(throttling.UserThrottle, "cache", DeadCache())
    with rates(user="1/min"), caplog.at_level(logging.WARNING, logger="zhdj.throttling"):
        answers = [client.get("/api/notifications/").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    outage = [r for r in caplog.records if r.name == "zhdj.throttling"]
    assert len(outage) == 1 and "缓存" in outage[0].getMessage()
    monkeypatch.undo()
    with caplog.at_level(logging.WARNING, logger="zhdj.throttling"):
        assert client.get("/api/notifications/").status_code == 200
    assert any("恢复" in r.getMessage() for r in caplog.records if r.name == "zhdj.throttling")
