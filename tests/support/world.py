"""The test world: two counties (alpha, beta) with users and organizations, built once
per session through the real onboarding service and committed, so live daphne and
Celery processes see it too."""

from __future__ import annotations

from dataclasses import dataclass

from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from shared.customers.models import Tenant
from shared.customers.services import OnboardingRequest, template_ensure, tenant_onboard
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create

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
            user_create(
                username="member",
                full_name=f"{county.name}党员",
                password=PASSWORD,
                role=User.Role.MEMBER,
            )
            root = Organization.objects.get_root_nodes().get()
            committee = org_create(
                parent=root, name=f"{county.name}某镇党委", type_code="base_committee"
            )
            org_create(
                parent=Organization.objects.get(pk=committee.pk),
                name=f"{county.name}某村党支部",
                type_code="branch",
            )
    # Beta gets more organizations so that some ids exist only in beta.
    with schema_context(BETA.schema):
        root = Organization.objects.get_root_nodes().get()
        for i in range(5):
            org_create(
                parent=Organization.objects.get(pk=root.pk),
                name=f"横山区直属第{i}党支部",
                type_code="branch",
            )


def tenant(county: County) -> Tenant:
    return Tenant.objects.get(schema_name=county.schema)
