from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.members.models import Member
from tenants.members.services import member_fill
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.support.names import chinese_number
from zhdj.messaging.sms_double import SmsDouble, backend_options
from zhdj.pii.idnumber import make_id_number


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


def scope_of(username: str) -> Scope:
    return scope_for(User.objects.get(username=username))


@pytest.fixture
def village(in_alpha) -> Organization:  # type: ignore[no-untyped-def]
    return Organization.objects.get(name__endswith="某村党支部")


@pytest.fixture
def other_village(in_alpha) -> Organization:  # type: ignore[no-untyped-def]
    return Organization.objects.get(name__endswith="另一村党支部")


@pytest.fixture
def double(settings) -> Iterator[SmsDouble]:  # type: ignore[no-untyped-def]
    running = SmsDouble.start()
    settings.ZHDJ_MESSAGING = {
        "SMS": {
            "BACKEND": "zhdj.messaging.sms_aliyun.AliyunSmsBackend",
            "OPTIONS": backend_options(running.url),
        }
    }
    yield running
    running.stop()


def new_branch(name: str) -> Organization:
    town = Organization.objects.get(name__endswith="某镇党委")
    return Organization.objects.get(
        pk=org_create(scope=Scope.system(), parent=town, name=name, type_code="branch").pk
    )


def add_members(
    org: Organization, count: int, *, prefix: str = "批量", phone: bool = True, seq_base: int = 0
) -> list[Member]:
    """``count`` members in ``org`` at once (the import's bulk path: member_fill)."""
    rows = []
    for i in range(count):
        birth = date(1960, 1, 1) + timedelta(days=i + seq_base)
        member, sex = Member(), ("male", "female")[i % 2]
        member_fill(
            member,
            MemberData(
                sex=sex,
                birth_date=birth,
                org=org,
                name=f"{prefix}{chinese_number(i)}",
                id_number=make_id_number("610802", birth, 450, sex),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(birth.year + 25, 7, 1),
                full_member_at=date(birth.year + 26, 7, 1),
                education_code="21",
                phone=f"138{i:08d}" if phone else "",
                address="",
            ),
        )
        rows.append(member)
    return Member.objects.bulk_create(rows)
