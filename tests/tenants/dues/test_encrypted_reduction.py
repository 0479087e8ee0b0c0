"""The hardship behind a dues reduction is stored encrypted (issue 17)."""

from __future__ import annotations

from datetime import date

from django.db import connection

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.dues.models import DuesReduction
from tenants.dues.services import reduction_decide, reduction_propose
from zhdj.pii.crypto import token_version


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM dues_duesreduction WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def test_reduction_reason_and_approval_note_are_stored_encrypted(admin_scope, member):
    branch = scope_for(User.objects.get(username="branchsec"))
    reduction = reduction_propose(
        scope=branch,
        member=member,
        kind="exempt",
        from_month=date(2026, 3, 1),
        to_month=date(2026, 5, 1),
        reason="重病住院，家庭收入中断",
        branch_decided_on=date(2026, 3, 2),
        branch_decision="2026年3月2日支委会决定",
    )
    raw = _raw("reason", reduction.pk)
    assert token_version(raw) == 1 and "重病" not in raw
    town = User.objects.get(username="townsec")
    reduction_decide(
        scope=scope_for(town), reduction=reduction, approve=True, actor=town, note="情况属实"
    )
    assert token_version(_raw("approval_note", reduction.pk)) == 1
    stored = DuesReduction.objects.get(pk=reduction.pk)
    assert (stored.reason, stored.approval_note) == ("重病住院，家庭收入中断", "情况属实")
