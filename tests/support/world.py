"""The test world: two counties (alpha, beta) with users and organizations, built once
per session through the real onboarding service and committed, so live daphne and
Celery processes see it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from shared.customers.models import Tenant
from shared.customers.services import OnboardingRequest, template_ensure, tenant_onboard
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.support.otp import seed_world_devices
from zhdj.pii.idnumber import make_id_number

PASSWORD = "Test#Pass2026"


@dataclass(frozen=True)
class County:
    schema: str
    name: str
    region_code: str
    host: str


ALPHA = County("alpha", "榆阳区", "610802", "alpha.localhost")
BETA = County("beta", "横山区", "610803", "beta.localhost")
CITY_HOST = "city.localhost"
OFFICERS = (
    ("anquan", "安全管理员", User.Role.SECURITY_ADMIN),
    ("shenji", "审计管理员", User.Role.AUDITOR),
)


def build_world() -> None:
    template_ensure()
    user_create(username="city", full_name="市委用户", password=PASSWORD, role=User.Role.CITY)
    user_create(
        username="ops",
        full_name="运维用户",
        password=PASSWORD,
        role=User.Role.OPS,
        is_staff=True,
        is_superuser=True,
    )
    # 三员分立 (shared/accounts/roles.py): the security administrator and the auditor, at the
    # city and in each county.
    for username, full_name, role in OFFICERS:
        user_create(username=username, full_name=f"市级{full_name}", password=PASSWORD, role=role)
    for county in (ALPHA, BETA):
        tenant_onboard(
            OnboardingRequest(
                name=county.name,
                region_code=county.region_code,
                schema_name=county.schema,
                domain=county.host,
                admin_username="admin",
                admin_full_name=f"{county.name}管理员",
                admin_password=PASSWORD,
            )
        )
        with schema_context(county.schema):
            _populate(county)
            for username, full_name, role in OFFICERS:
                user_create(
                    username=username,
                    full_name=f"{county.name}{full_name}",
                    password=PASSWORD,
                    role=role,
                )
    # Beta gets more organizations so that some ids exist only in beta.
    with schema_context(BETA.schema):
        root = Organization.objects.get_root_nodes().get()
        for i in range(5):
            org_create(
                scope=Scope.system(),
                parent=Organization.objects.get(pk=root.pk),
                name=f"横山区直属第{i}党支部",
                type_code="branch",
            )
    # 动态口令 for every user whose role requires it (tests/support/otp.py).
    seed_world_devices(["public", ALPHA.schema, BETA.schema])


def _populate(county: County) -> None:
    """Per county: 某镇党委 → 某村党支部 and 另一村党支部, four members, posts:
    ``townsec`` (secretary of the town committee), ``branchsec`` (secretary of 某村党支部),
    ``member`` (no post, in 某村党支部), and ``other`` (no login, in 另一村党支部)."""
    admin_scope = scope_for(User.objects.get(username="admin"))
    root = Organization.objects.get_root_nodes().get()
    town = org_create(
        scope=admin_scope, parent=root, name=f"{county.name}某镇党委", type_code="base_committee"
    )
    village = org_create(
        scope=admin_scope,
        parent=Organization.objects.get(pk=town.pk),
        name=f"{county.name}某村党支部",
        type_code="branch",
    )
    other_village = org_create(
        scope=admin_scope,
        parent=Organization.objects.get(pk=town.pk),
        name=f"{county.name}另一村党支部",
        type_code="branch",
    )
    people = [
        ("townsec", "王书记", village, date(1975, 3, 1), "male", "secretary", town),
        ("branchsec", "李支书", village, date(1980, 6, 15), "female", "secretary", village),
        ("member", f"{county.name}党员", village, date(1990, 1, 20), "male", None, None),
        ("", "赵其他", other_village, date(1988, 8, 8), "female", None, None),
    ]
    for seq, (username, name, org, birth, sex, post_code, post_org) in enumerate(people, 1):
        member = member_create(
            scope=admin_scope,
            data=MemberData(
                org=Organization.objects.get(pk=org.pk),
                name=name,
                id_number=make_id_number(county.region_code, birth, seq, sex),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(birth.year + 22, 7, 1),
                full_member_at=date(birth.year + 23, 7, 1),
                education_code="21",
                phone=f"1390000{seq:04d}",
                address=f"{county.name}人民路{seq}号",
            ),
        )
        if username:
            member.user = user_create(
                username=username, full_name=name, password=PASSWORD, role=User.Role.MEMBER
            )
            member.save(update_fields=["user"])
        if post_code:
            post_assign(
                scope=admin_scope,
                org=Organization.objects.get(pk=post_org.pk),
                member=member,
                post_code=post_code,
                started_at=date(2021, 1, 1),
            )


def tenant(county: County) -> Tenant:
    return Tenant.objects.get(schema_name=county.schema)
