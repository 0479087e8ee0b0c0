"""The demo city (示范市): three districts, a few organizations and users.

Idempotent: running it again leaves what exists and adds what is missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.otp import DEMO_SECRET_BASE32, demo_device_ensure
from shared.accounts.services import user_create
from shared.customers.services import OnboardingRequest, template_ensure, tenant_onboard
from shared.learning.demo import seed_city as seed_city_learning
from shared.rollups.services import rollup_city
from tenants.access.models import Post
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign
from tenants.development.demo import seed_county as seed_development
from tenants.development.models import DevelopmentRecord
from tenants.dues.demo import seed_county as seed_dues
from tenants.flowing.demo import seed_county as seed_flowing
from tenants.flowing.inflows import inflows_sync
from tenants.learning.demo import seed_county as seed_learning
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.notifications.services import notification_send
from tenants.orglife.demo import seed_county as seed_orglife
from tenants.orgs.demo import seed_county as seed_locations
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tenants.transfers.demo import seed_county as seed_transfers
from zhdj.pii.idnumber import make_id_number

DEMO_PASSWORD = "Demo#2026dj"  # noqa: S105 — printed demo login, local only


@dataclass(frozen=True)
class DemoDistrict:
    schema: str
    name: str
    region_code: str
    towns: tuple[str, ...]


DISTRICTS = (
    DemoDistrict("yuyang", "榆阳区", "610802", ("鼓楼街道", "青山路街道", "鱼河镇")),
    DemoDistrict("shenmu", "神木市", "610881", ("滨河新区街道", "大柳塔镇")),
    DemoDistrict("fugu", "府谷县", "610822", ("府谷镇", "新民镇")),
)


def _port() -> str:
    return os.environ.get("ZHDJ_PORT", "8000")


def _host(schema: str) -> str:
    return f"{schema}.{settings.ZHDJ_BASE_DOMAIN}"


def _ensure_user(username: str, full_name: str, role: str, **extra: bool) -> None:
    if not User.objects.filter(username=username).exists():
        user_create(
            username=username, full_name=full_name, password=DEMO_PASSWORD, role=role, **extra
        )


def _ensure_officers(site: str) -> None:
    """三员分立: the security administrator and the auditor of a site (shared/accounts/roles.py)."""
    _ensure_user("anquan", f"{site}安全管理员演示账号", User.Role.SECURITY_ADMIN)
    _ensure_user("shenji", f"{site}审计管理员演示账号", User.Role.AUDITOR)


def seed_demo() -> list[str]:
    """Create the demo city; returns printable login lines."""
    connection.set_schema_to_public()
    template_ensure()
    _ensure_user("city", "市委组织部演示账号", User.Role.CITY)
    _ensure_user("ops", "平台运维演示账号", User.Role.OPS, is_staff=True, is_superuser=True)
    _ensure_officers("市级")
    seed_city_learning()
    lines = [
        f"市级站点  http://{settings.ZHDJ_CITY_HOST}:{_port()}/"
        f"   city / {DEMO_PASSWORD}（市委组织部）"
        f"   ops / {DEMO_PASSWORD}（运维）"
        "   anquan（安全管理员）   shenji（审计管理员）"
    ]
    for d in DISTRICTS:
        tenant_onboard(
            OnboardingRequest(
                name=d.name,
                region_code=d.region_code,
                schema_name=d.schema,
                domain=_host(d.schema),
                admin_username="admin",
                admin_full_name=f"{d.name}管理员",
                admin_password=DEMO_PASSWORD,
            )
        )
        with schema_context(d.schema):
            _seed_county(d)
            _seed_features()
            _ensure_officers(d.name)
        lines.append(
            f"{d.name}  http://{_host(d.schema)}:{_port()}/   admin（区县管理员）"
            "   anquan（安全管理员）   shenji（审计管理员）"
            "   shuji（党支部书记）   xuanchuan（宣传委员）"
            "   member（党员）   shenqing（入党申请人）"
            f"   密码均为 {DEMO_PASSWORD}"
        )
    for d in DISTRICTS:  # once every county exists: a member flows into another of them
        with schema_context(d.schema):
            seed_flowing()
    for d in DISTRICTS:  # and each county has its inflows at once, not at the beat's turn
        with schema_context(d.schema):
            inflows_sync()
    rollup_city()  # the city dashboard shows the demo counties at once
    _seed_otp([None, *(d.schema for d in DISTRICTS)])
    lines.append(
        "动态口令（市级账号、区县管理员、安全管理员、审计管理员登录时须输入）："
        "运行 ZHDJ_DEMO=1 .venv/bin/python manage.py demo_otp_code 查看当前验证码，"
        "或在手机动态口令应用中添加密钥 "
        f"{DEMO_SECRET_BASE32}"
    )
    return lines


def _seed_otp(schemas: list[str | None]) -> None:
    """Every demo account whose role requires 动态口令 gets a device with the demo
    secret (shared/accounts/otp.py); run last, after every account exists."""
    for schema in schemas:
        with schema_context(schema or "public"):
            for user in User.objects.filter(role__in=User.OTP_ROLES, is_active=True):
                demo_device_ensure(user)


def _seed_features() -> None:
    """Each feature's own demo data, through its services (each idempotent)."""
    seed_locations()
    seed_orglife()  # before development: its votes are meetings too
    seed_development()
    seed_dues()
    seed_transfers()
    _link_demo_logins()
    seed_learning()  # after the logins: the demo member's own study and test


def _link_demo_logins() -> None:
    """One login per kind of county user, so every role can be tried: ``shuji`` is a
    branch secretary, ``member`` an ordinary member of that branch (no post, in none of
    the demo transfers, which take the county's first six members), ``shenqing`` the
    applicant of the first development record."""
    posts = Post.objects.filter(
        post_code="secretary", ended_at__isnull=True, org__type_code="branch"
    )
    post = posts.select_related("member").order_by("org__path").last()
    if post is None:
        return
    secretary = post.member
    ordinary = (
        Member.objects.filter(org=post.org, party_status_code="normal", posts__isnull=True)
        .order_by("pk")
        .first()
    )
    publicity = _demo_publicity(post.org, exclude=(secretary, ordinary))
    for username, full_name, member in (
        ("shuji", "党支部书记演示账号", secretary),
        ("xuanchuan", "宣传委员演示账号", publicity),
        ("member", "党员演示账号", ordinary),
    ):
        if member is None:
            continue
        _ensure_user(username, full_name, User.Role.MEMBER)
        user = User.objects.get(username=username)
        if member.user_id != user.pk:
            Member.objects.filter(user=user).update(user=None)
            member.user = user
            member.save(update_fields=["user"])
        _same_name(user, member.name)
    record = DevelopmentRecord.objects.order_by("pk").first()
    if record is not None and record.user_id is None:
        _ensure_user("shenqing", "入党申请人演示账号", User.Role.APPLICANT)
        record.user = User.objects.get(username="shenqing")
        record.save(update_fields=["user"])
    if record is not None and record.user is not None:
        _same_name(record.user, record.name)


def _demo_publicity(branch: Organization, exclude: tuple[Member | None, ...]) -> Member | None:
    """The branch's 宣传委员 (a post with fewer permissions than the secretary's: sees
    the members, publishes notices), appointed once."""
    held = Post.objects.filter(org=branch, post_code="publicity", ended_at__isnull=True).first()
    if held is not None:
        return held.member
    taken = {m.pk for m in exclude if m is not None}
    member = (
        Member.objects.filter(org=branch, party_status_code="normal", posts__isnull=True)
        .exclude(pk__in=taken)
        .order_by("pk")
        .last()
    )
    if member is not None:
        post_assign(
            scope=Scope.system(),
            org=branch,
            member=member,
            post_code="publicity",
            started_at=date(2024, 1, 1),
        )
    return member


def _same_name(user: User, name: str) -> None:
    """A login shows the name of the person it belongs to (the top bar, recipients)."""
    if user.full_name != name:
        user.full_name = name
        user.save(update_fields=["full_name"])


@transaction.atomic
def _seed_county(d: DemoDistrict) -> None:
    root = Organization.objects.get_root_nodes().get()
    for town in d.towns:
        committee = Organization.objects.get_children(root).filter(
            name=f"中共{town}委员会"
        ).first() or org_create(
            scope=Scope.system(), parent=root, name=f"中共{town}委员会", type_code="base_committee"
        )
        for i in (1, 2):
            name = f"{town}第{i}党支部"
            if not Organization.objects.get_children(committee).filter(name=name).exists():
                org_create(
                    scope=Scope.system(),
                    parent=Organization.objects.get(pk=committee.pk),
                    name=name,
                    type_code="branch",
                )
    if not Member.objects.exists():
        _seed_members(d)
        admin = User.objects.get(username="admin")
        notification_send(
            recipients=User.objects.all(),
            title=f"欢迎使用{d.name}智慧党建云",
            body="本平台用于党组织和党员管理、发展党员、组织关系转接、党费收缴等工作。",
            sender=admin,
        )


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
# Given names by sex: the record's sex comes from its ID number.
GIVEN = {
    "male": ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "斌", "建国", "志强", "海波"),
    "female": ("芳", "娜", "秀英", "敏", "静", "丽", "艳", "娟", "霞", "玉兰", "桂英", "丹"),
}


def _seed_members(d: DemoDistrict) -> None:
    """Eight members per branch, the first its secretary; ``member`` is the first one."""
    admin_scope = scope_for(User.objects.get(username="admin"))
    branches = Organization.objects.filter(type_code="branch").order_by("path")
    seq = 0
    for branch in branches:
        for i in range(8):
            seq += 1
            sex = "female" if seq % 3 == 0 else "male"
            birth = date(1958 + (seq * 7) % 45, 1 + seq % 12, 1 + seq % 28)
            joined = date(min(max(birth.year + 20, 1985) + seq % 10, 2024), 7, 1)
            name = SURNAMES[seq % len(SURNAMES)] + GIVEN[sex][seq % len(GIVEN[sex])]
            member = member_create(
                scope=admin_scope,
                data=MemberData(
                    org=branch,
                    name=name,
                    ethnicity_code="01" if seq % 9 else "04",
                    id_number=make_id_number(d.region_code, birth, seq % 500, sex),
                    category_code="full" if seq % 10 else "probationary",
                    joined_at=joined if seq % 10 else date(2026, 3, 1),
                    full_member_at=date(joined.year + 1, 7, 1) if seq % 10 else None,
                    education_code=("21", "31", "61", "71")[seq % 4],
                    occupation_code="other",
                    phone=f"139{seq:08d}",
                    address=f"{d.name}建设路{seq}号",
                ),
            )
            if i == 0:
                post_assign(
                    scope=admin_scope,
                    org=branch,
                    member=member,
                    post_code="secretary",
                    started_at=date(2024, 1, 1),
                )
