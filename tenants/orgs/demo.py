"""Demo locations of a county's organizations (组织位置演示数据), so the e-map of
``make demo`` shows them: the county committee at the county seat, each town's committee
at the town, its branches a few hundred metres around it. Approximate public coordinates
(WGS-84) of the demo's towns in 榆林市; every point lies inside its county's boundary
(``shared/standards/data/region_boundaries.geojson``).

``seed_county()`` runs inside a county schema, goes through ``org_update`` and is
idempotent: an organization that already has a location keeps it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from shared.customers.models import Tenant
from shared.rollups.boundaries import SEATS
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.orgs.services import org_update

# town → (latitude, longitude) of its seat
TOWNS: dict[str, tuple[float, float]] = {
    "鼓楼街道": (38.2905, 109.7412),
    "青山路街道": (38.2710, 109.7580),
    "鱼河镇": (38.1720, 109.8370),
    "滨河新区街道": (38.8140, 110.4880),
    "大柳塔镇": (39.2650, 110.2620),
    "府谷镇": (39.0300, 111.0720),
    "新民镇": (39.1470, 110.8900),
}
# the n-th branch of a town: (Δlatitude, Δlongitude), a few hundred metres apart
BRANCH_OFFSETS = ((0.0042, -0.0051), (-0.0036, 0.0047), (0.0061, 0.0058), (-0.0055, -0.0044))


def _point(lat: float, lng: float) -> dict[str, Decimal]:
    return {"latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lng:.6f}")}


def _place(org: Organization, lat: float, lng: float) -> None:
    if org.latitude is None:
        org_update(scope=Scope.system(), org=org, values=_point(lat, lng), actor=None)  # type: ignore[arg-type]


@transaction.atomic
def seed_county() -> None:
    code = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("region_code", flat=True)
        .first()
    )
    root = Organization.objects.get_root_nodes().first()
    if root is not None and code in SEATS:
        lng, lat = SEATS[code]
        _place(root, lat + 0.0021, lng - 0.0032)  # the county committee, by the seat
    for town, (lat, lng) in TOWNS.items():
        committee = Organization.objects.filter(name=f"中共{town}委员会").first()
        if committee is None:
            continue
        _place(committee, lat, lng)
        branches = Organization.objects.get_children(committee).order_by("path")
        for branch, (dlat, dlng) in zip(branches, BRANCH_OFFSETS, strict=False):
            _place(branch, lat + dlat, lng + dlng)
