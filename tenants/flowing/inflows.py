"""Members of another county of the city flowing into this one (流入党员, domain-rules §8),
on the destination's side; the current schema is the destination county.

The home county writes a public ``FlowNotice`` when it issues the card; this county
reads only the notices addressed to it (never the home county's schema) and keeps an
``Inflow`` per notice, the person unsealed from the notice and re-encrypted with this
county's key (``inflows_sync``: where the list is shown, and by the beat). A county-level
manager assigns the branch that takes the member in (``inflow_place``), which the home
county and the member then read on the notice; that branch records the dues it took when
the home branch decided they are paid here (``inflow_dues_record``). An inflow member
attends the branch's meetings as a guest (``tenants.orglife.guests``: no vote, no right
to elect or be elected) and studies on the home county's platform.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import FlowNotice
from shared.interchange.sealing import unseal
from shared.interchange.selectors import flow_notices_to
from shared.interchange.services import flow_notice_answer
from shared.rollups.dirty import rollup_mark_dirty
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing.models import Inflow
from tenants.orgs.models import Organization
from tenants.orgs.selectors import org_root
from tenants.transfers.services.common import check_receivable, county_name
from zhdj.errors import AccessDenied, ApplicationError

log = logging.getLogger(__name__)

MANAGE = Perm.FLOWING_MANAGE
State = Inflow.State


def _month(value: date) -> date:
    return value.replace(day=1)


def _person(notice: FlowNotice) -> dict[str, str] | None:
    try:
        data = unseal(notice.id, notice.payload)
    except Exception:  # a payload that does not open is not ours to guess at
        log.warning("flowing: notice %s from %s does not unseal", notice.pk, notice.source_schema)
        return None
    return {k: str(data.get(k) or "") for k in ("name", "sex", "category", "phone")}


def _new_inflow(notice: FlowNotice) -> Inflow | None:
    person = _person(notice)
    if person is None or not person["name"]:
        return None
    return Inflow(
        notice_id=notice.pk,
        source_schema=notice.source_schema,
        name=person["name"][:32],
        sex=person["sex"][:8],
        category=person["category"][:16],
        phone=person["phone"],
        from_name=notice.from_name,
        card_serial=notice.card_serial,
        starts_on=notice.starts_on,
        ends_on=notice.ends_on,
        dues_here=notice.dues_at_destination,
    )


def inflows_sync() -> int:
    """Bring this county's inflows up to date with the notices addressed to it: a new
    notice becomes an inflow (待安排), an ended one ends it, a changed return date or
    dues place is followed. Returns how many inflows were created or changed."""
    schema = connection.schema_name
    known = set(Inflow.objects.values_list("notice_id", flat=True))
    new = [n for n in flow_notices_to(schema, active=True) if n.pk not in known]
    rows = [row for row in map(_new_inflow, new) if row is not None]
    created = len(Inflow.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0
    current = {
        row["notice_id"]: row
        for row in Inflow.objects.exclude(state=State.ENDED).values(
            "notice_id", "state", "ends_on", "dues_here"
        )
    }
    changed = 0
    for notice in flow_notices_to(schema, only=set(current)) if current else []:
        row = current[notice.pk]
        fields: dict[str, object] = {
            "ends_on": notice.ends_on,
            "dues_here": notice.dues_at_destination,
        }
        if notice.state == FlowNotice.State.ENDED:
            fields["state"] = State.ENDED
        if all(row[name] == value for name, value in fields.items()):
            continue
        changed += (
            Inflow.objects.filter(notice_id=notice.pk)
            .exclude(state=State.ENDED)
            .update(**fields, updated_at=timezone.now())
        )
    if created + changed:
        transaction.on_commit(rollup_mark_dirty)  # the county's 流入党员 figure
    return created + changed


def destination_of(inflow: Inflow) -> str:
    """Where in this county the member stays or works, as the home branch recorded it."""
    notice = FlowNotice.objects.filter(pk=inflow.notice_id).only("destination").first()
    return notice.destination if notice is not None else ""


def inflows_visible(scope: Scope) -> QuerySet[Inflow]:
    """Assigned inflows to their branch and the organizations above it; those not yet
    assigned to the county-level managers (flowing.manage over the county's root)."""
    rows = Inflow.objects.visible_to(scope)
    root = org_root()
    if not scope.is_admin and root is not None and scope.can(MANAGE, root):
        rows = rows | Inflow.objects.filter(org__isnull=True)
    return rows.select_related("org")


def inflow_get(scope: Scope, inflow_id: int) -> Inflow | None:
    return inflows_visible(scope).filter(pk=inflow_id).first()


def places_inflows(scope: Scope) -> bool:
    """The user may assign inflows to branches (a county-level manager)."""
    root = org_root()
    return root is not None and scope.can(MANAGE, root)


def _lock(inflow: Inflow) -> Inflow:
    return Inflow.objects.select_for_update(of=("self",)).select_related("org").get(pk=inflow.pk)


@transaction.atomic
def inflow_place(*, scope: Scope, inflow: Inflow, org: Organization | None, actor: User) -> Inflow:
    """Assign the branch where the member takes part in organizational life (安排参加组织
    生活的党支部); the home county and the member read it on the notice."""
    if not places_inflows(scope):
        raise AccessDenied("流入党员由区县一级安排党支部。")
    inflow = _lock(inflow)
    if inflow.state == State.ENDED:
        raise ApplicationError("该党员已离开本地，不能再安排。")
    org = check_receivable(org, field="org")
    inflow.org, inflow.state = org, State.PLACED
    inflow.save(update_fields=["org", "state", "updated_at"])
    flow_notice_answer(
        target_schema=connection.schema_name,
        notice_id=inflow.notice_id,
        target_org_id=org.pk,
        target_org_name=f"{county_name()} {org.name}"[:200],
    )
    return inflow


def dues_months(inflow: Inflow) -> tuple[date, date]:
    """The months the destination may record as paid: from the month the member left
    to the month they are expected back."""
    return _month(inflow.starts_on), _month(inflow.ends_on)


@transaction.atomic
def inflow_dues_record(*, scope: Scope, inflow: Inflow, through_month: date, actor: User) -> Inflow:
    """The branch records the month the member's dues are paid through here (党费交至),
    only when the home branch decided they are paid at the destination; the home county
    reads it on the notice and bills nothing for those months."""
    inflow = _lock(inflow)
    if inflow.org is None:
        raise ApplicationError("请先为该党员安排参加组织生活的党支部。")
    scope.require(MANAGE, inflow.org, message="无权为该党员登记党费。")
    if inflow.state == State.ENDED:
        raise ApplicationError("该党员已离开本地，不能再登记党费。")
    notice = FlowNotice.objects.filter(
        pk=inflow.notice_id, target_schema=connection.schema_name
    ).first()
    if notice is None or not notice.dues_at_destination:
        raise ApplicationError("该党员在原党支部交纳党费，流入地不收取党费。")
    first, last = dues_months(inflow)
    month = _month(through_month)
    if not first <= month <= last:
        raise ApplicationError(
            f"党费交至应在 {first.year}年{first.month}月 至 {last.year}年{last.month}月 之间"
            "（外出期间）。",
            field="through_month",
        )
    inflow.dues_paid_through = month
    inflow.save(update_fields=["dues_paid_through", "updated_at"])
    flow_notice_answer(
        target_schema=connection.schema_name,
        notice_id=inflow.notice_id,
        dues_paid_through=month,
    )
    return inflow
