"""Test data for the rollup tests: members and organizations written through the services,
and figures counted directly with SQL in each schema (independent of the metrics code)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.customers.services import OnboardingRequest, tenant_onboard
from tenants.access.scope import Scope, scope_for
from tenants.members.services import member_change_status, member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.support.names import chinese_number
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

GAMMA = ("gamma", "佳县", "610828", "gamma.localhost")


def onboard_gamma() -> None:
    schema, name, code, host = GAMMA
    tenant_onboard(
        OnboardingRequest(
            name=name,
            region_code=code,
            schema_name=schema,
            domain=host,
            admin_username="admin",
            admin_full_name="佳县管理员",
            admin_password=PASSWORD,
        )
    )


def fill(schema: str, region: str, *, members: int, seed: int) -> None:
    """A town with two branches (one located on the map) and ``members`` varied members;
    one of them suspended, one left the party (not counted)."""
    with schema_context(schema):
        admin = User.objects.get(username="admin")
        scope = scope_for(admin)
        root = Organization.objects.get_root_nodes().get()
        town = org_create(
            scope=Scope.system(), parent=root, name=f"测试镇{seed}党委", type_code="base_committee"
        )
        branches = [
            org_create(
                scope=Scope.system(),
                parent=Organization.objects.get(pk=town.pk),
                name=f"测试镇{seed}第{i}党支部",
                type_code="branch",
            )
            for i in range(2)
        ]
        Organization.objects.filter(pk=branches[0].pk).update(
            latitude=Decimal("38.1"), longitude=Decimal("109.7"), category_code="3"
        )
        made = []
        for i in range(members):
            birth = date(1950 + (i * 7 + seed) % 50, 1 + i % 12, 1 + i % 27)
            sex = "female" if (i + seed) % 3 == 0 else "male"
            made.append(
                member_create(
                    scope=scope,
                    data=MemberData(
                        org=Organization.objects.get(pk=branches[i % 2].pk),
                        name=f"测试{chinese_number(seed)}{chinese_number(i)}",
                        id_number=make_id_number(region, birth, 100 + i, sex),
                        ethnicity_code="01" if i % 4 else "03",
                        category_code="probationary" if i % 5 == 0 else "full",
                        joined_at=date(birth.year + 20 + i % 10, 7, 1),
                        full_member_at=None if i % 5 == 0 else date(birth.year + 21 + i % 10, 7, 1),
                        education_code=("21", "31", "61", "")[i % 4],
                        occupation_code=("worker", "farmer", "")[i % 3],
                        phone=f"1380000{seed:02d}{i:02d}",
                    ),
                )
            )
        today = date.today()
        member_change_status(
            scope=Scope.system(), member=made[1], action="suspend", effective_date=today,
            reason="测试", actor=admin,
        )  # fmt: skip
        member_change_status(
            scope=Scope.system(), member=made[2], action="leave", effective_date=today,
            reason="测试", actor=admin,
        )  # fmt: skip


def direct(schema: str, sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{s}", f'"{schema}"'))
        return cursor.fetchone()[0]


ON_ROLL = "party_status_code IN ('normal', 'suspended')"


def direct_figures(schema: str) -> dict[tuple[str, str], int]:
    """The rolled-up figures we can check, counted with plain SQL in ``schema``."""
    m = f"{{s}}.members_member WHERE {ON_ROLL}"
    org = "{s}.orgs_organization WHERE is_active"
    return {
        ("members.total", ""): direct(schema, f"SELECT count(*) FROM {m}"),
        ("members.by_sex", "女"): direct(schema, f"SELECT count(*) FROM {m} AND sex='female'"),
        ("members.by_sex", "男"): direct(schema, f"SELECT count(*) FROM {m} AND sex='male'"),
        ("members.by_category", "预备党员"): direct(
            schema, f"SELECT count(*) FROM {m} AND category_code='probationary'"
        ),
        ("members.minorities", ""): direct(
            schema, f"SELECT count(*) FROM {m} AND ethnicity_code <> '01'"
        ),
        ("members.college", ""): direct(
            schema, f"SELECT count(*) FROM {m} AND education_code IN ('21', '31')"
        ),
        ("members.suspended", ""): direct(
            schema, f"SELECT count(*) FROM {m} AND party_status_code='suspended'"
        ),
        ("members.by_occupation", "工人"): direct(
            schema, f"SELECT count(*) FROM {m} AND occupation_code='worker'"
        ),
        ("members.by_occupation", "未填写"): direct(
            schema, f"SELECT count(*) FROM {m} AND occupation_code=''"
        ),
        ("members.by_education", "大学本科教育"): direct(
            schema, f"SELECT count(*) FROM {m} AND education_code LIKE '2%'"
        ),
        # The six completeness items (tenants.members.completeness), summed over members.
        ("members.profile_filled", ""): direct(
            schema,
            "SELECT count(*) FILTER (WHERE education_code <> '')"
            " + count(*) FILTER (WHERE occupation_code <> '')"
            " + count(*) FILTER (WHERE job_title <> '')"
            " + count(*) FILTER (WHERE phone_index IS NOT NULL)"
            " + count(*) FILTER (WHERE address <> '')"
            " + count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {s}.members_familyrecord f"
            " WHERE f.member_id = {s}.members_member.id))"
            f" FROM {m}",
        ),
        ("members.profile_items", ""): direct(schema, f"SELECT 6 * count(*) FROM {m}"),
        ("orgs.total", ""): direct(schema, f"SELECT count(*) FROM {org}"),
        ("orgs.by_type", "党支部"): direct(
            schema, f"SELECT count(*) FROM {org} AND type_code='branch'"
        ),
        ("orgs.located", ""): direct(
            schema, f"SELECT count(*) FROM {org} AND latitude IS NOT NULL"
        ),
        ("orgs.small_branches", ""): direct(
            schema,
            f"SELECT count(*) FROM {org} AND type_code='branch' AND (SELECT count(*) FROM "
            f"{{s}}.members_member mm WHERE mm.org_id = {{s}}.orgs_organization.id AND "
            f"mm.category_code='full' AND mm.{ON_ROLL}) < 3",
        ),
    }
