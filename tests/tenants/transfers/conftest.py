from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import Scope, scope_for
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

_seq = count(random.randrange(100, 100_000))


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


def user(username: str) -> User:
    return User.objects.get(username=username)


def scope(username: str) -> Scope:
    return scope_for(user(username))


def village() -> Organization:
    return Organization.objects.get(name__endswith="某村党支部")


def other_village() -> Organization:
    return Organization.objects.get(name__endswith="另一村党支部")


def town() -> Organization:
    return Organization.objects.get(name__endswith="某镇党委")


def new_member(org: Organization | None = None, *, login: bool = True, name: str = "转接人"):  # type: ignore[no-untyped-def]
    """A fresh member (unique ID number) in the current county, with a login."""
    n = next(_seq)
    birth = date(1975, 1, 1) + timedelta(days=n // 500)
    member = member_create(
        scope=scope_for(user("admin")),
        data=MemberData(
            org=org or village(),
            name=name,
            id_number=make_id_number("610802", birth, n % 500, "male"),
            ethnicity_code="01",
            category_code="full",
            joined_at=date(2014, 7, 1),
            full_member_at=date(2015, 7, 1),
            phone=f"138{n:08d}",
            address=f"测试路{n}号",
        ),
    )
    if login:
        member.user = user_create(
            username=f"mover{n}", full_name=name, password=PASSWORD, role=User.Role.MEMBER
        )
        member.save(update_fields=["user"])
    return member
