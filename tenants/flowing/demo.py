"""Flowing-members demo data (流动党员), through the services: in each county four members
gone to work in 深圳 (三人 in a flowing party group, one of them not reporting for over a
year), one in 西安, one studying abroad, one flowing into another county of the city with
the card and dues paid there, one member 失联 for seven months after a search (so the
停止党籍 deadline shows), contact records, and the demo member (``member`` login) away
with the card, so 我的活动证 shows on the phone.

``seed_county()`` runs inside a county schema once every demo county exists (one member
goes to another of them); it does nothing when outflows exist.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.customers.models import Tenant
from tenants.access.scope import Scope
from tenants.flowing import services
from tenants.flowing.models import ContactLog, DuesPlace, FlowingGroup, Outflow, Paper, Reason
from tenants.flowing.regions import ABROAD, city_prefix
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.transfers.models import Transfer

SYSTEM = Scope.system()  # the demo acts as the platform, in the administrator's name


def _other_county() -> str:
    """The region code of the next demo county of the city (by code, wrapping round)."""
    own = connection.schema_name
    codes = sorted(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE, region_code__startswith=city_prefix())
        .exclude(schema_name=own)
        .values_list("region_code", flat=True)
    )
    mine = Tenant.objects.filter(schema_name=own).values_list("region_code", flat=True).first()
    later = [c for c in codes if mine and c > mine]
    return (later or codes or [""])[0]


def _candidates() -> list[Member]:
    """Plain members free to go: normal, no post, no login, in no transfer."""
    moving = Transfer.objects.values("member_id")
    return list(
        Member.objects.filter(
            party_status_code="normal", lost_contact=False, posts__isnull=True, user__isnull=True
        )
        .exclude(pk__in=moving)
        .select_related("org")
        .order_by("org__path", "pk")
        .distinct()
    )


def _go(member: Member, admin: User, code: str, place: str, start: date, **kw: object) -> Outflow:
    going = services.Going(
        reason=str(kw.get("reason", Reason.WORK)),
        destination_code=code,
        place=place,
        starts_on=start,
        ends_on=start + relativedelta(months=int(str(kw.get("months", 12)))),
        contact=member.phone or "13900000000",
        paper=str(kw.get("paper", Paper.CARD)),
        dues_place=str(kw.get("dues_place", DuesPlace.HOME)),
    )
    outflow = services.outflow_register(scope=SYSTEM, member=member, going=going, actor=admin)
    if outflow.paper == Paper.CARD:
        outflow = services.card_issue(scope=SYSTEM, outflow=outflow, actor=admin)
    return outflow


def _reached(member: Member, admin: User, on: date, way: str, note: str) -> None:
    services.contact_record(
        scope=SYSTEM, member=member, kind=ContactLog.Kind.REACHED, on=on, way=way, note=note,
        actor=admin,
    )  # fmt: skip


@transaction.atomic
def seed_county() -> None:
    if Outflow.objects.exists():
        return
    admin = User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    free = _candidates()
    if admin is None or len(free) < 8:
        return
    today = timezone.localdate()
    ago = lambda months: today - relativedelta(months=months)  # noqa: E731
    # The demo secretary's branch (the ``member`` login's) first, so shuji sees the cases.
    home = Member.objects.filter(user__username="member").values_list("org_id", flat=True)
    free.sort(key=lambda m: m.org_id not in set(home))
    by_branch: dict[int, list[Member]] = {}
    for m in free:
        by_branch.setdefault(m.org_id, []).append(m)
    four = next((ms[:4] for ms in by_branch.values() if len(ms) >= 4), free[:4])
    rest = [m for m in free if m not in four]
    shenzhen = [
        _go(m, admin, "440000", "深圳市宝安区某电子厂", ago(n), months=18)
        for m, n in zip(four, (14, 5, 4, 3), strict=True)
    ]  # the first has not reported for over a year
    _reached(four[1], admin, ago(1), "电话", "在深圳务工，工作稳定，按时参加流动党员党小组活动。")
    _reached(four[2], admin, ago(1), "微信", "在深圳务工，已与流入地社区党组织取得联系。")
    grouped = {m.org_id for m in four[1:]}
    group_org = four[1].org if len(grouped) == 1 else Organization.objects.get_root_nodes().first()
    services.group_create(
        scope=SYSTEM, org=group_org, kind=FlowingGroup.Kind.GROUP, name="驻深圳流动党员党小组",
        outflows=shenzhen[1:], leader=four[1], actor=admin,
    )  # fmt: skip
    xian, abroad, across, lost = rest[:4]
    _go(xian, admin, "610100", "西安市雁塔区某建筑公司", ago(2))
    _go(
        abroad, admin, ABROAD, "英国伦敦（留学）", ago(3), reason=Reason.STUDY, months=24,
        paper=Paper.ABROAD,
    )  # fmt: skip
    _reached(abroad, admin, ago(1), "微信视频", "在英国攻读硕士学位，学习生活正常。")
    other = _other_county()
    if other:
        _go(across, admin, other, "某物流园区", ago(2), dues_place=DuesPlace.DESTINATION)
    services.contact_record(
        scope=SYSTEM, member=lost, kind=ContactLog.Kind.SEARCH, on=ago(7), way="电话",
        note="多次拨打电话均为空号，家属称其外出打工、去向不明。", actor=admin,
    )  # fmt: skip
    services.lost_contact_mark(
        scope=SYSTEM, member=lost, since=ago(7), code="migrant",
        steps="电话、微信联系未果；走访家属、村委会，发函原工作单位，均无法取得联系。",
        actor=admin, password=None,
    )  # fmt: skip
    _demo_member(admin, ago)


def _demo_member(admin: User, ago) -> None:  # type: ignore[no-untyped-def]
    """The ``member`` login away with the card, having reported once."""
    me = Member.objects.filter(user__username="member").select_related("user").first()
    if me is None or me.party_status_code != "normal" or me.lost_contact:
        return
    _go(me, admin, "320000", "苏州工业园区某科技公司", ago(3))
    services.report_back(
        member=me, on=ago(1), way="手机报告",
        note="在苏州从事软件开发，参加了流入地党组织的主题党日活动。", user=me.user,
    )  # fmt: skip
