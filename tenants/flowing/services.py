"""Writes of the flowing-members work, each checking the user's permission itself.

Going out (``outflow_register``) decides the paper by the rules and refuses another; the
base committee issues the numbered card (``card_issue``), published for the QR check;
a member flowing to another county of the city gets a ``FlowNotice`` there. Return and
the card's hand-back end it all. Contacts are recorded once; 失联 is marked through the
member's status change (password step) with the steps taken.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import FlowNotice, LetterRecord
from shared.interchange.sealing import seal
from shared.interchange.services import letter_record_publish, letter_record_set_state
from shared.rollups.dirty import rollup_mark_dirty
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing.models import (
    ContactLog,
    Direction,
    DuesPlace,
    FlowingGroup,
    Outflow,
    OutflowState,
    Paper,
    Reason,
)
from tenants.flowing.regions import ABROAD, place_of
from tenants.flowing.reminders import managers_of
from tenants.flowing.rules import REGISTERED, Facts, decide
from tenants.members.models import Member, StatusAction
from tenants.members.services import member_change_status
from tenants.notifications.services import notification_send
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from tenants.transfers.services.common import committee_of, county_name
from zhdj.errors import ApplicationError
from zhdj.pii.masking import mask_name
from zhdj.validation.names import text_problem

MANAGE = Perm.FLOWING_MANAGE


def _text(value: Any, label: str, field: str, *, limit: int, required: bool = True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ApplicationError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise ApplicationError(f"{label}不能超过 {limit} 个字。", field=field)
    problem = text_problem(value, label=label)
    if problem:
        raise ApplicationError(problem, field=field)
    return value


@dataclass(frozen=True)
class Going:
    """What the branch records of a member going out (外出登记)."""

    reason: str
    destination_code: str  # regions.ABROAD when abroad
    place: str  # unit or address there; the country when abroad
    starts_on: date
    ends_on: date
    contact: str
    paper: str  # the paper asked for; refused unless the rules give the same
    settled: bool = False
    returns_often: bool = False
    dues_place: str = DuesPlace.HOME
    note: str = ""


def _check_going(going: Going) -> None:
    if going.reason not in Reason.values:
        raise ApplicationError("请选择外出原因。", field="reason")
    if going.ends_on <= going.starts_on:
        raise ApplicationError("预计返回日期应晚于外出日期。", field="ends_on")
    today = timezone.localdate()
    if going.starts_on > today.replace(year=today.year + 1):
        raise ApplicationError("外出日期不能晚于一年以后。", field="starts_on")
    if going.dues_place not in DuesPlace.values:
        raise ApplicationError("请选择党费交纳地。", field="dues_place")


@transaction.atomic
def outflow_register(*, scope: Scope, member: Member, going: Going, actor: User) -> Outflow:
    """Register a member going out, with the paper the rules give (外出流动登记)."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    scope.require(MANAGE, member.org, message="无权为该党员办理外出登记。")
    if member.party_status_code != "normal" or member.lost_contact:
        raise ApplicationError("只有党籍状态正常、未失联的党员可以办理外出登记。")
    if Outflow.objects.filter(member=member, state=OutflowState.ACTIVE).exists():
        raise ApplicationError("该党员已有外出登记，请先办理返回。")
    _check_going(going)
    abroad = going.destination_code == ABROAD
    decision = decide(
        Facts(going.starts_on, going.ends_on, abroad, going.settled, going.returns_often)
    )
    if going.paper != decision.paper:
        raise ApplicationError(f"按规定应为“{decision.label}”：{decision.why}", field="paper")
    if decision.paper not in REGISTERED:
        raise ApplicationError(f"“{decision.label}”不在此登记：{decision.why}", field="paper")
    if abroad:
        _text(going.place, "出国（境）的国家或地区", "place", limit=200)
        destination = Direction.ABROAD.label  # the country is the place below it
        direction, target_schema, code = Direction.ABROAD, "", ""
    else:
        place = place_of(going.destination_code)
        if place is None:
            raise ApplicationError("请选择流入地。", field="destination_code")
        destination, direction = place.name, place.direction
        target_schema, code = place.target_schema, place.code
    if going.dues_place == DuesPlace.DESTINATION and decision.paper != Paper.CARD:
        raise ApplicationError(
            "只有持流动党员活动证的党员可以在流入地交纳党费。", field="dues_place"
        )
    outflow = Outflow.objects.create(
        member=member,
        org=member.org,
        reason=going.reason,
        occupation_code=member.occupation_code,
        direction=direction,
        destination_code=code,
        destination=destination,
        place=_text(going.place, "工作单位或住址", "place", limit=200, required=False),
        target_schema=target_schema,
        starts_on=going.starts_on,
        ends_on=going.ends_on,
        contact=_text(going.contact, "外出期间联系方式", "contact", limit=100),
        paper=decision.paper,
        dues_place=going.dues_place,
        note=_text(going.note, "备注", "note", limit=1000, required=False),
        created_by=actor,
    )
    member.flowing, member.flow_destination = True, destination[:100]
    member.save(update_fields=["flowing", "flow_destination", "updated_at"])
    if decision.paper == Paper.CARD:
        _report_upwards(outflow, actor)
    transaction.on_commit(rollup_mark_dirty)
    return outflow


def _report_upwards(outflow: Outflow, actor: User) -> None:
    """The registration goes up to the base committee, which issues the card (报上级党委)."""
    committee = committee_of(outflow.org)
    people = [u for u in managers_of(committee) if u.pk != actor.pk]
    if people:
        notification_send(
            recipients=people,
            title=f"待发放流动党员活动证：{outflow.member.name}",
            body=f"{outflow.org.name}登记{outflow.member.name}外出到{outflow.destination}，"
            f"{outflow.starts_on:%Y年%m月%d日}至{outflow.ends_on:%Y年%m月%d日}，请审核后发放活动证。",
            url=reverse("flowing:detail", args=[outflow.pk]),
            sender=actor,
        )


def _lock(outflow: Outflow) -> Outflow:
    return (
        Outflow.objects.select_for_update(of=("self",))
        .select_related("member", "org")
        .get(pk=outflow.pk)
    )


def _serial(outflow: Outflow, year: int) -> str:
    from shared.customers.models import Tenant

    region = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("region_code", flat=True)
        .first()
    ) or connection.schema_name[:6].upper()
    return f"LD{region}-{year}-{outflow.pk:06d}"


@transaction.atomic
def card_issue(*, scope: Scope, outflow: Outflow, actor: User) -> Outflow:
    """The base committee issues the numbered card (发放流动党员活动证) and publishes its
    public trace for the QR check; a destination in another county of the city is told."""
    outflow = _lock(outflow)
    committee = committee_of(outflow.org)
    scope.require(MANAGE, committee, message="流动党员活动证须由基层党委发放。")
    if outflow.paper != Paper.CARD or outflow.state != OutflowState.ACTIVE:
        raise ApplicationError("只有外出中、应发活动证的登记可以发证。")
    if outflow.card_serial:
        raise ApplicationError("该党员的活动证已发放。")
    today = timezone.localdate()
    outflow.card_serial = _serial(outflow, today.year)
    outflow.card_token = secrets.token_urlsafe(32)
    outflow.card_issued_on = today
    outflow.save(update_fields=["card_serial", "card_token", "card_issued_on"])
    letter_record_publish(
        token=outflow.card_token,
        serial=outflow.card_serial,
        issuer_schema=connection.schema_name,
        issuer_name=committee.name,
        to_name=outflow.destination,
        masked_name=mask_name(outflow.member.name),
        issued_on=today,
        valid_until=outflow.ends_on,
        kind=LetterRecord.Kind.CARD,
    )
    if outflow.target_schema:
        _notice_publish(outflow)
    transaction.on_commit(rollup_mark_dirty)
    return outflow


def _notice_publish(outflow: Outflow) -> FlowNotice:
    member = outflow.member
    notice = FlowNotice(
        source_schema=connection.schema_name,
        source_outflow_id=outflow.pk,
        target_schema=outflow.target_schema,
        masked_name=mask_name(member.name),
        from_name=f"{county_name()} {outflow.org.name}",
        destination=f"{outflow.destination} {outflow.place}".strip()[:200],
        starts_on=outflow.starts_on,
        ends_on=outflow.ends_on,
        card_serial=outflow.card_serial,
        dues_at_destination=outflow.dues_place == DuesPlace.DESTINATION,
    )
    notice.payload = seal(
        notice.id,
        {
            "name": member.name,
            "sex": member.get_sex_display(),
            "category": "正式党员" if member.category_code == "full" else "预备党员",
            "phone": outflow.contact,
        },
    )
    notice.save()
    return notice


@transaction.atomic
def outflow_return(
    *, scope: Scope, outflow: Outflow, returned_on: date, card_returned: bool, actor: User
) -> Outflow:
    """The member is back (返回): the flow ends, the card is handed back (交回活动证) and
    voided for the QR check, the destination county's notice ends."""
    outflow = _lock(outflow)
    scope.require(MANAGE, outflow.org, message="无权为该党员办理返回。")
    if outflow.state != OutflowState.ACTIVE:
        raise ApplicationError("该登记已结束。")
    if returned_on < outflow.starts_on or returned_on > timezone.localdate():
        raise ApplicationError("返回日期应在外出日期和今天之间。", field="returned_on")
    if outflow.card_serial and not card_returned:
        raise ApplicationError("返回时应交回流动党员活动证；请收回后勾选。", field="card_returned")
    outflow.state, outflow.returned_on = OutflowState.RETURNED, returned_on
    if outflow.card_serial:
        outflow.card_returned_on = returned_on
    return _end(outflow)


def _end(outflow: Outflow) -> Outflow:
    """The flow is over: the card voided for the QR check, the destination county's notice
    ended, the member no longer flowing."""
    if outflow.card_serial:
        letter_record_set_state(
            issuer_schema=connection.schema_name,
            serial=outflow.card_serial,
            state=LetterRecord.State.VOID,
        )
    outflow.save(update_fields=["state", "returned_on", "card_returned_on", "note"])
    FlowNotice.objects.filter(
        source_schema=connection.schema_name, source_outflow_id=outflow.pk
    ).update(state=FlowNotice.State.ENDED, updated_at=timezone.now())
    member = outflow.member
    member.flowing, member.flow_destination = False, ""
    member.save(update_fields=["flowing", "flow_destination", "updated_at"])
    transaction.on_commit(rollup_mark_dirty)
    return outflow


@transaction.atomic
def outflow_cancel(*, scope: Scope, outflow: Outflow, actor: User) -> Outflow:
    """撤销 a registration made in error (or a trip that did not happen): it ends without a
    return; a card already issued is voided."""
    outflow = _lock(outflow)
    scope.require(MANAGE, outflow.org, message="无权撤销该外出登记。")
    if outflow.state != OutflowState.ACTIVE:
        raise ApplicationError("该登记已结束，不能撤销。")
    if ContactLog.objects.filter(outflow=outflow).exists():
        raise ApplicationError("该登记已有联系或报告记录，不能撤销；党员回来时请办理返回。")
    outflow.state = OutflowState.CANCELLED
    by = getattr(actor, "full_name", "") or actor.get_username()
    outflow.note = f"{outflow.note}\n{timezone.localdate():%Y-%m-%d} 由{by}撤销".strip()
    return _end(outflow)


def _contact_checks(on: date, way: str, note: str) -> tuple[str, str]:
    if on > timezone.localdate():
        raise ApplicationError("日期不能晚于今天。", field="on")
    return (
        _text(way, "联系方式", "way", limit=50),
        _text(note, "情况", "note", limit=2000),
    )


def report_back(*, member: Member, on: date, way: str, note: str, user: User) -> ContactLog:
    """The member's own report to the home branch (流动党员向党组织报告)."""
    outflow = Outflow.objects.filter(member=member, state=OutflowState.ACTIVE).first()
    if outflow is None:
        raise ApplicationError("您目前没有外出登记，无需报告。")
    way, note = _contact_checks(on, way, note)
    if on < outflow.starts_on:
        raise ApplicationError("报告日期不能早于外出日期。", field="on")
    log = ContactLog.objects.create(
        member=member, outflow=outflow, kind=ContactLog.Kind.REPORT, on=on, way=way,
        note=note, by=user,
    )  # fmt: skip
    transaction.on_commit(rollup_mark_dirty)  # the overdue reports figure
    return log


def contact_record(
    *, scope: Scope, member: Member, kind: str, on: date, way: str, note: str, actor: User
) -> ContactLog:
    """The branch reached the member, or searched and did not (查找未果: a 失联 step)."""
    scope.require(MANAGE, member.org, message="无权记录该党员的联系情况。")
    if kind not in (ContactLog.Kind.REACHED, ContactLog.Kind.SEARCH):
        raise ApplicationError("请选择联系结果。", field="kind")
    way, note = _contact_checks(on, way, note)
    outflow = Outflow.objects.filter(member=member, state=OutflowState.ACTIVE).first()
    if outflow is not None and on < outflow.starts_on:
        raise ApplicationError("联系日期不能早于外出日期。", field="on")
    log = ContactLog.objects.create(
        member=member, outflow=outflow, kind=kind, on=on, way=way, note=note, by=actor
    )
    transaction.on_commit(rollup_mark_dirty)  # the overdue reports figure
    return log


@transaction.atomic
def lost_contact_mark(
    *,
    scope: Scope,
    member: Member,
    since: date,
    code: str,
    steps: str,
    actor: User,
    password: str | None,
) -> None:
    """Mark a member 失联 from ``since``, with the steps taken to find them: the status
    change (members.status, password step) and a 查找未果 record, in one transaction."""
    steps = _text(steps, "已采取的查找措施", "steps", limit=2000)
    member_change_status(
        scope=scope,
        member=member,
        action=StatusAction.LOST_CONTACT,
        effective_date=since,
        reason=f"失联。查找措施：{steps}",
        actor=actor,
        lost_contact_code=code,
        password=password,
    )
    ContactLog.objects.create(
        member=member,
        outflow=Outflow.objects.filter(member=member, state=OutflowState.ACTIVE).first(),
        kind=ContactLog.Kind.SEARCH,
        on=timezone.localdate(),
        way="多方查找",
        note=steps,
        by=actor,
    )


@transaction.atomic
def group_create(
    *,
    scope: Scope,
    org: Organization,
    kind: str,
    name: str,
    outflows: list[Outflow],
    leader: Member | None,
    actor: User,
) -> FlowingGroup:
    """A flowing party group or temporary branch for members gone to one place."""
    scope.require(MANAGE, org, message="无权在该组织下设立流动党员党组织。")
    if kind not in FlowingGroup.Kind.values:
        raise ApplicationError("请选择设立形式。", field="kind")
    minimum = rule_value("flowing.group_min_members")
    rows = list(
        Outflow.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(pk__in=[o.pk for o in outflows], state=OutflowState.ACTIVE, group=None)
    )
    if len(rows) < minimum:
        raise ApplicationError(f"至少选择 {minimum} 名尚未编组的外出党员。", field="outflows")
    places = {(o.destination_code, o.destination) for o in rows}
    if len(places) != 1:
        raise ApplicationError("所选党员应流向同一地方。", field="outflows")
    if not all(o.org.path.startswith(org.path) for o in rows):
        raise ApplicationError("所选党员应属于本组织或下级组织。", field="outflows")
    if leader is not None and leader.pk not in {o.member_id for o in rows}:
        raise ApplicationError("负责人应为所选党员之一。", field="leader")
    code, destination = places.pop()
    group = FlowingGroup.objects.create(
        org=org,
        kind=kind,
        name=_text(name, "名称", "name", limit=100),
        destination_code=code,
        destination=destination,
        leader=leader,
        founded_on=timezone.localdate(),
    )
    Outflow.objects.filter(pk__in=[o.pk for o in rows]).update(group=group)
    return group
