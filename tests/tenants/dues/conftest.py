from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.dues.services import dues_base_set
from tenants.members.models import Member


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def admin_scope(in_alpha) -> Scope:  # type: ignore[no-untyped-def]
    return scope_for(User.objects.get(username="admin"))


@pytest.fixture
def member(in_alpha) -> Member:  # type: ignore[no-untyped-def]
    return Member.objects.get(user__username="member")


@pytest.fixture
def other(in_alpha) -> Member:  # type: ignore[no-untyped-def]
    return Member.objects.get(name="赵其他")


def with_base(
    scope: Scope,
    member: Member,
    base_fen: int = 420000,
    category: str = "in_service",
    from_month: date = date(2026, 1, 1),
) -> Member:
    dues_base_set(
        scope=scope,
        member=member,
        category_code=category,
        base_fen=base_fen,
        from_month=from_month,
        actor=None,
    )
    return member
