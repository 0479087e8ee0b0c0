"""Writes to the city-level organization tree."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from shared.cityorg.models import CityOrganization
from shared.customers.models import Tenant


@transaction.atomic
def cityorg_ensure_root() -> CityOrganization:
    """The 市委 node; created on first use with the configured city name."""
    root = CityOrganization.objects.get_root_nodes().filter(
        kind=CityOrganization.Kind.CITY_COMMITTEE
    )
    if node := root.first():
        return node
    return CityOrganization.objects.add_root(
        create_kwargs={
            "name": f"中共{settings.ZHDJ_CITY_NAME}委员会",
            "kind": CityOrganization.Kind.CITY_COMMITTEE,
            "region_code": f"{settings.ZHDJ_CITY_REGION_PREFIX}00",
        }
    )


@transaction.atomic
def cityorg_link_county(*, tenant: Tenant) -> CityOrganization:
    """The county committee node for ``tenant`` under the 市委 (idempotent)."""
    existing = CityOrganization.objects.filter(tenant=tenant).first()
    if existing is not None:
        return existing
    root = CityOrganization.objects.select_for_update().get(pk=cityorg_ensure_root().pk)
    return CityOrganization.objects.add_child(
        root,
        create_kwargs={
            "name": f"中共{tenant.name}委员会",
            "kind": CityOrganization.Kind.COUNTY_COMMITTEE,
            "region_code": tenant.region_code or "",
            "tenant": tenant,
        },
    )
