from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.rules.services import rule_override_set


@dataclass
class Branch:
    """The test county's 某村党支部 (王书记, 李支书 the secretary, one plain member), its
    town committee, and 另一村党支部 (赵其他)."""

    village: Organization
    other: Organization
    town: Organization
    secretary: User
    townsec: User
    member: User

    @property
    def sec_scope(self) -> Scope:
        return scope_for(self.secretary)

    @property
    def member_scope(self) -> Scope:
        return scope_for(self.member)

    def member_id(self, name: str) -> int:
        return Member.objects.get(name__endswith=name).pk


@pytest.fixture
def in_alpha(db, alpha, settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def b(in_alpha) -> Branch:  # type: ignore[no-untyped-def]
    return Branch(
        village=Organization.objects.get(name__endswith="某村党支部"),
        other=Organization.objects.get(name__endswith="另一村党支部"),
        town=Organization.objects.get(name__endswith="某镇党委"),
        secretary=User.objects.get(username="branchsec"),
        townsec=User.objects.get(username="townsec"),
        member=User.objects.get(username="member"),
    )


@pytest.fixture
def county_rule(in_alpha) -> Callable[[str, str], None]:  # type: ignore[no-untyped-def]
    """Sets the test county's own value of a rule (本县取值), as its administrator does."""
    admin = User.objects.get(username="admin")

    def set_rule(key: str, value: str) -> None:
        rule_override_set(
            scope=Scope.system(), key=key, value=value, reason="本县规定", actor=admin
        )

    return set_rule
