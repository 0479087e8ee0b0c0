from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.tenants.development.path import World, world


@pytest.fixture
def in_alpha(db, alpha, settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def w(in_alpha) -> World:  # type: ignore[no-untyped-def]
    return world()
