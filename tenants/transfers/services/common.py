"""Shared pieces of the transfer services: the state machine's compare-and-set, the
history row, who may act at which step, and the checks every start makes."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.rollups.dirty import rollup_mark_dirty
from shared.standards.models import OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.transfers.models import OPEN_STATES, Transfer, TransferAction
from tenants.transfers.payload import paid_until
from zhdj.errors import ApplicationError

# The system acting on behalf of another county inside one acceptance transaction.
SYSTEM_SCOPE = Scope.system()


def committee_of(org: Organization) -> Organization:
    """The nearest organization at or above ``org`` that approves members (基层党委 …)."""
    approving = set(
        OrganizationType.objects.filter(may_approve_members=True).values_list("code", flat=True)
    )
    step = Organization.steplen
    prefixes = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    chain = sorted(Organization.objects.filter(path__in=prefixes), key=lambda o: -len(o.path))
    for node in chain:
        if node.type_code in approving:
            return node
    return chain[-1] if chain else org


def may_act_as_branch(scope: Scope, org: Organization) -> bool:
    return scope.can(Perm.TRANSFERS_MANAGE, org)


def may_act_as_committee(scope: Scope, org: Organization) -> bool:
    return scope.can(Perm.TRANSFERS_MANAGE, committee_of(org))


def check_receivable(org: Organization | None, *, field: str = "to_org") -> Organization:
    """Members can only be entered into an active organization whose type holds members."""
    if org is None:
        raise ApplicationError("请选择接收党组织。", field=field)
    holds = OrganizationType.objects.filter(code=org.type_code, holds_members=True).exists()
    if not holds or not org.is_active:
        raise ApplicationError(f"“{org.name}”不能接收党员，请选择党支部。", field=field)
    return org


def check_transferable(member: Member) -> None:
    if member.party_status_code != "normal":
        raise ApplicationError("只有党籍状态正常的党员可以办理组织关系转接。", field="member")
    pending = Transfer.objects.filter(member=member, state__in=OPEN_STATES).first()
    if pending is not None:
        raise ApplicationError(
            f"该党员已有一项正在办理的转接（{pending.get_state_display()}），"
            "请办结或撤回后再申请。",
            field="member",
        )


def record(
    transfer: Transfer,
    *,
    action: str,
    from_state: str,
    actor: User | None,
    note: str = "",
    actor_name: str = "",
) -> TransferAction:
    return TransferAction.objects.create(
        transfer=transfer,
        action=action,
        from_state=from_state,
        to_state=transfer.state,
        note=note[:200],
        actor=actor,
        actor_name=(actor.full_name if actor is not None else actor_name)[:64],
    )


def advance(transfer: Transfer, *, expected: str, to: str, **fields: object) -> Transfer:
    """Compare-and-set the state: a second click or a second user finds it moved on."""
    now = timezone.now()
    if to in ("completed",):
        fields.setdefault("completed_at", now)
    changed = Transfer.objects.filter(pk=transfer.pk, state=expected).update(
        state=to, updated_at=now, **fields
    )
    if changed != 1:
        raise ApplicationError("该转接的状态已变化，请刷新后再办理。")
    transfer.refresh_from_db()
    return transfer


def lock(transfer_id: int) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "member__org", "from_org", "to_org")
        .get(pk=transfer_id)
    )


def mark_dirty() -> None:
    transaction.on_commit(rollup_mark_dirty)


def county_name() -> str:
    """The Chinese name of the county whose schema is active. Under ``schema_context``
    the connection's tenant is a stand-in without a name: the name is then read from
    the tenant table, never shown as the schema name (``shenmu``)."""
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "name", "") or county_name_of(connection.schema_name)


def county_name_of(schema: str) -> str:
    from shared.customers.models import Tenant

    name = Tenant.objects.filter(schema_name=schema).values_list("name", flat=True).first()
    return name or "其他区县"


def month_start(value: date | None) -> date | None:
    return value.replace(day=1) if value else None


def dues_paid_until(member: Member) -> date | None:
    """党费交至 from the app that registered itself as its source (dues, through
    ``tenants.transfers.payload.paid_until_source``), else None."""
    return month_start(paid_until(member))
