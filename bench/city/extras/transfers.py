"""3. Transfers (组织关系转接, domain-rules §3): pending transfers within the county, to another
of the counties and out of the city, through the app's services with its clock set to the
day of each step (the shares: the package docstring)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.city.extras.common import _admin, _at, _clock, _days, _loading, _place, _rng
from bench.city.pools import Weighted

TRANSFER_SHARE = 0.003


KINDS = {  # kind → (share, states by weight)
    "within": (
        0.45,
        [("pending_branch", 20), ("pending_committee", 35), ("pending_receiver", 30),
         ("pending_receiver_branch", 15)],
    ),
    "county_out": (0.30, [("pending_branch", 15), ("pending_committee", 35),
                          ("pending_receiver", 50)]),
    "city_out": (0.25, [("pending_branch", 15), ("pending_committee", 35),
                        ("awaiting_receipt", 50)]),
}  # fmt: skip


REASONS = {
    "within": ("工作调动", "家庭住址变动", "单位合并", "退休后回居住地社区"),
    "county_out": ("工作调动至{}", "随家属迁居{}", "在{}购房定居"),
    "city_out": ("考入外省事业单位", "随配偶迁居外地", "在外地固定工作满6个月"),
}


DESTINATIONS = (
    "中共西安市雁塔区委组织部",
    "中共北京市朝阳区委组织部",
    "中共鄂尔多斯市东胜区委组织部",
    "中共延安市宝塔区委组织部",
    "中共银川市金凤区委组织部",
    "中共太原市小店区委组织部",
    "中共包头市昆都仑区委组织部",
    "中共深圳市南山区委组织部",
)


@dataclass
class _Transfers:
    """One county's transfer run: who acts, where members may go."""

    schema: str
    today: date
    place: str
    admin: Any
    scope: Any
    branches: list[Any]
    others: list[str]
    names: dict[str, tuple[str, list[str]]]  # county → (name, branch names)


def transfers(schemas: list[str], seed: int, today: date) -> int:
    """Pending transfers within and between ``schemas`` (see the package docstring).
    Returns the transfers created."""
    names = {s: _county_names(s) for s in schemas}
    made = 0
    for schema in schemas:
        others = [s for s in schemas if s != schema]
        made += _county_transfers(schema, others, names, _rng(seed, schema, "transfers"), today)
    return made


def _county_names(schema: str) -> tuple[str, list[str]]:
    from django_tenants.utils import schema_context

    from shared.customers.models import Tenant
    from tenants.orgs.models import Organization

    name = Tenant.objects.get(schema_name=schema).name
    with schema_context(schema):
        branches = Organization.objects.filter(type_code="branch", is_active=True).order_by("path")
        return name, list(branches.values_list("name", flat=True))


def _county_transfers(
    schema: str, others: list[str], names: dict, rng: random.Random, today: date
) -> int:
    from shared.standards.models import OrganizationType
    from tenants.access.scope import scope_for
    from tenants.orgs.models import Organization
    from zhdj.errors import ApplicationError

    with _loading(schema):
        admin = _admin()
        holding = OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True)
        branches = list(
            Organization.objects.filter(is_active=True, type_code__in=list(holding)).order_by(
                "path"
            )
        )
        run = _Transfers(
            schema, today, _place(schema)[1], admin, scope_for(admin), branches, others, names
        )
        made = 0
        for member in _movers(rng):
            kind, state = _kind_and_state(rng, others)
            try:
                _one_transfer(run, rng, member, kind, state)
                made += 1
            except ApplicationError as exc:
                print(f"  {schema}: transfer skipped: {exc.message}")
        return made


def _movers(rng: random.Random) -> list[Any]:
    """Members in good standing without a post or a transfer under way, 0.3 % of all."""
    from tenants.access.models import Post
    from tenants.members.models import Member
    from tenants.transfers.models import OPEN_STATES, Transfer

    total = Member.objects.count()
    busy = set(Post.objects.filter(ended_at__isnull=True).values_list("member_id", flat=True))
    busy |= set(Transfer.objects.filter(state__in=OPEN_STATES).values_list("member_id", flat=True))
    ids = [
        pk
        for pk in Member.objects.filter(party_status_code="normal", lost_contact=False)
        .order_by("id_number_index")
        .values_list("pk", flat=True)
        if pk not in busy
    ]
    picked = rng.sample(ids, min(len(ids), max(6, round(total * TRANSFER_SHARE))))
    found = Member.objects.select_related("org").in_bulk(picked)
    return [found[pk] for pk in picked]


def _kind_and_state(rng: random.Random, others: list[str]) -> tuple[str, str]:
    kinds = Weighted([(k, share) for k, (share, _) in KINDS.items()])
    kind = kinds.draw(rng)
    if kind == "county_out" and not others:
        kind = "within"
    return kind, Weighted(KINDS[kind][1]).draw(rng)


def _timeline(rng: random.Random, run: _Transfers, kind: str, state: str) -> list[date]:
    """The days of the steps taken so far: application, then each approval."""
    from tenants.rules.selectors import rule_value

    today = run.today
    if state == "pending_branch":
        return [today - _days(rng.randint(0, 10))]
    if state == "pending_committee":
        return [today - _days(rng.randint(0, 20))]
    if kind == "county_out":  # sent within the envelope's validity
        validity = int(rule_value("transfers.letter_validity_days_city"))
        sent = today - _days(rng.randint(0, max(0, validity - 1)))
        return [sent - _days(rng.randint(0, 7)), sent]
    if kind == "city_out":  # letters up to 75 days old: some receipts are late
        issued = today - _days(rng.randint(0, 75))
        return [issued - _days(rng.randint(0, 7)), issued]
    days = [today - _days(rng.randint(3, 30))]
    for _ in range(1 if state == "pending_receiver" else 2):
        days.append(min(today, days[-1] + _days(rng.randint(0, 5))))
    return days


def _one_transfer(run: _Transfers, rng: random.Random, member: Any, kind: str, state: str) -> None:
    """One transfer through the app's services, each step on its own day."""
    from tenants.transfers.services import transfer_approve, transfer_start

    days = _timeline(rng, run, kind, state)
    scope, actor = run.scope, run.admin
    if state == "pending_branch":
        scope, actor = _self_service(run, rng, member, days[0])
    start = _start_arguments(run, rng, member, kind)
    with _clock(_at(days[0], rng)):
        transfer = transfer_start(scope=scope, actor=actor, member=member, kind=kind, **start)
    for day in days[1:]:
        with _clock(_at(day, rng)):
            if kind == "city_out":
                _issue_letter(run, rng, transfer)
            else:
                transfer = transfer_approve(scope=run.scope, actor=run.admin, transfer=transfer)
    if transfer.state != state:
        raise RuntimeError(f"transfer {transfer.pk} is {transfer.state}, wanted {state}")


def _start_arguments(run: _Transfers, rng: random.Random, member: Any, kind: str) -> dict[str, Any]:
    if kind == "within":
        to_org = rng.choice([b for b in run.branches if b.pk != member.org_id])
        return {"reason": rng.choice(REASONS[kind]), "to_org": to_org}
    if kind == "county_out":
        target = rng.choice(run.others)
        county, branches = run.names[target]
        to_name = rng.choice(branches) if branches else county
        reason = rng.choice(REASONS[kind]).format(county)
        return {"reason": reason, "target_schema": target, "to_name": to_name}
    return {"reason": rng.choice(REASONS[kind]), "to_name": rng.choice(DESTINATIONS)}


def _self_service(run: _Transfers, rng: random.Random, member: Any, day: date) -> tuple[Any, Any]:
    """A member applying themselves needs a login: created and linked by the services."""
    from django.contrib.auth.hashers import make_password

    from shared.accounts.models import User
    from shared.accounts.services import user_create
    from tenants.access.scope import scope_for
    from tenants.members.services import member_link_user

    if member.user_id is not None:
        user = member.user
    else:
        with _clock(_at(day, rng)):
            user = user_create(
                username=f"m{member.id_number_index[:12]}",
                full_name=member.name,
                password_hash=make_password(None),
                role=User.Role.MEMBER,
            )
            member_link_user(scope=run.scope, member=member, user=user)
    return scope_for(user), user


def _issue_letter(run: _Transfers, rng: random.Random, transfer: Any) -> None:
    """The sending committee issues the introduction letter (组织关系介绍信)."""
    from django.utils import timezone

    from tenants.dues.calc import add_months, month_start
    from tenants.transfers.services import LetterData, letter_issue

    paid = None
    if transfer.dues_paid_until is None:
        paid = add_months(month_start(timezone.localdate()), -1)
    letter_issue(
        scope=run.scope,
        actor=run.admin,
        transfer=transfer,
        data=LetterData(
            validity_days=rng.choice((30, 30, 30, 90)),
            sender_address=f"{run.place}人民路{rng.randint(1, 300)}号",
            sender_phone=f"0912-{rng.randint(3_000_000, 3_999_999)}",
            sender_postcode="719000",
            dues_paid_until=paid,
        ),
    )
    transfer.refresh_from_db()
