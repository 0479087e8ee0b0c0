from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from zhdj.pii.idnumber import make_id_number


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def admin_scope(in_alpha) -> Scope:  # type: ignore[no-untyped-def]
    return scope_for(User.objects.get(username="admin"))


@pytest.fixture
def village(in_alpha) -> Organization:  # type: ignore[no-untyped-def]
    return Organization.objects.get(name__endswith="某村党支部")


def data(org: Organization, **overrides: object) -> MemberData:
    birth = overrides.pop("birth", date(1992, 5, 17))
    sex = overrides.pop("id_sex", "female")
    values: dict[str, object] = {
        "org": org,
        "name": "张三",
        "id_number": make_id_number("610802", birth, 77, sex),
        "ethnicity_code": "01",
        "category_code": "full",
        "joined_at": date(2015, 7, 1),
        "full_member_at": date(2016, 7, 1),
        "education_code": "21",
        "phone": "13912345678",
        "address": "榆林市榆阳区新建路 8 号",
    }
    values.update(overrides)
    return MemberData(**values)  # type: ignore[arg-type]
