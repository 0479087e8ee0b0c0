"""Dues test data: a member of the world with a base in force and this month's bill."""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.dues.billing import bills_generate
from tenants.dues.services import dues_base_set
from tenants.members.models import Member


def bill_member(schema: str, *, base_fen: int, username: str = "member") -> Member:
    """Set ``username``'s base (in service, from this month) and generate this month's bills."""
    with schema_context(schema):
        member = Member.objects.get(user__username=username)
        month = timezone.localdate().replace(day=1)
        dues_base_set(
            scope=scope_for(User.objects.get(username="admin")),
            member=member,
            category_code="in_service",
            base_fen=base_fen,
            from_month=month,
            actor=None,
        )
        bills_generate(scope=Scope.system(), month=month)
        return member
