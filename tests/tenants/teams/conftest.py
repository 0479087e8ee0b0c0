from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()
