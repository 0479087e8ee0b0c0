"""Session setup: real PostgreSQL (test database) and Redis (database 5).

The world (two counties, users, organizations) is built once through the real
services and committed. Tests that write use the ``db`` fixture (rolled back);
tests against live daphne / Celery processes read the committed world and clean up
what they commit.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.test import Client

from shared.customers.routing import resolver
from tests.support.otp import login as otp_login
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD, County, build_world


@receiver(setting_changed)
def _media_root_changed(*, setting: str, **kwargs: object) -> None:
    """django-tenants' storage caches MEDIA_ROOT (``relative_media_root``) and clears it
    only when MULTITENANT_RELATIVE_MEDIA_ROOT changes: a test that points MEDIA_ROOT at a
    temporary folder would leave every later test writing into that (deleted) folder."""
    if setting == "MEDIA_ROOT":
        storages["default"].__dict__.pop("relative_media_root", None)


_background: list = []  # the modules whose start_in_background was called


def pytest_collection_finish(session: pytest.Session) -> None:
    """A test module whose setup needs no test database and takes long (another database
    to make) may start it here, in a process of its own, to be made while the tests before
    it run: its ``start_in_background`` is called when one of its tests was selected, its
    ``stop_background`` when the session ends."""
    modules = {item.module for item in session.items if isinstance(item, pytest.Function)}
    for module in sorted(modules, key=lambda m: m.__name__):
        if hasattr(module, "start_in_background"):
            module.start_in_background()
            _background.append(module)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for module in _background:
        module.stop_background()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):  # type: ignore[no-untyped-def]
    """Create the test database for every session (also when only live tests run, which
    carry no django_db mark), then build the world."""
    from django.test.utils import setup_databases, teardown_databases

    with redis.Redis.from_url(settings.REDIS_URL) as client:
        client.flushdb()
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose, interactive=False, aliases={"default"}
        )
        build_world()
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _fresh_routing() -> Iterator[None]:
    """Each test starts on public with an empty host map (no state between tests)."""
    resolver.clear()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    resolver.clear()


@pytest.fixture(scope="session")
def live_server_port(django_db_setup, tmp_path_factory) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A real daphne on the test database (HTTP and websockets)."""
    from tests.support.live import start_daphne

    daphne, port = start_daphne(tmp_path_factory.mktemp("daphne") / "daphne.log")
    yield port
    daphne.stop()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A real Celery worker (solo pool) with beat, on the test database and Redis."""
    from tests.support.live import start_worker

    worker = start_worker(tmp_path_factory.mktemp("celery") / "worker.log", beat=True)
    yield worker
    worker.stop()


@pytest.fixture
def committed(django_db_blocker):  # type: ignore[no-untyped-def]
    """Write for real (autocommit) from a test that talks to live processes."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture
def alpha() -> County:
    return ALPHA


@pytest.fixture
def beta() -> County:
    return BETA


def host_client(host: str) -> Client:
    return Client(HTTP_HOST=host)


def logged_in(host: str, username: str) -> Client:
    client = host_client(host)
    otp_login(client, host, username, PASSWORD)  # the password, then 动态口令 if any
    return client


@pytest.fixture
def city_client(db) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(CITY_HOST, "city")


@pytest.fixture
def ops_client(db) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(CITY_HOST, "ops")


@pytest.fixture
def alpha_admin(db) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(ALPHA.host, "admin")


@pytest.fixture
def alpha_member(db) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(ALPHA.host, "member")


@pytest.fixture
def beta_admin(db) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(BETA.host, "admin")
