"""Where a flowing member goes: GB/T 2260 codes and the direction they fall in.

The finest level known is recorded: a county of this city (the ``Region`` table, and the
platform's county on that code when there is one), a city of this province or another
province (code table ``destination_region``); the place below it is free text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from shared.standards.models import CodeTable, Region
from shared.standards.selectors import codes
from tenants.flowing.models import Direction

# The destination "出国（境）" (港澳台 included): no GB/T 2260 code, the place is the country.
ABROAD = "abroad"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    direction: str
    target_schema: str  # another county of this city on the platform, else ""


def city_prefix() -> str:
    return settings.ZHDJ_CITY_REGION_PREFIX


def destination_choices() -> list[tuple[str, str]]:
    """The counties of this city first, then this province's cities, then provinces."""
    prefix = city_prefix()
    counties = [
        (r.code, f"本市{r.name}")
        for r in Region.objects.filter(level=Region.Level.COUNTY, code__startswith=prefix)
    ]
    rest = [
        (c.code, c.name)
        for c in codes(CodeTable.DESTINATION_REGION)
        if not c.code.startswith(prefix[:4])
    ]
    in_province = [c for c in rest if c[0].startswith(prefix[:2]) and c[0] != prefix[:2] + "0000"]
    provinces = [c for c in rest if c not in in_province]
    return counties + in_province + provinces


def place_of(code: str) -> Place | None:
    """The destination named by ``code``, or None when the code is not one we list."""
    prefix = city_prefix()
    names = dict(destination_choices())
    if code not in names:
        return None
    if code.startswith(prefix):
        return Place(code, names[code].removeprefix("本市"), Direction.WITHIN_CITY, _schema(code))
    if code.startswith(prefix[:2]) and code != prefix[:2] + "0000":
        return Place(code, names[code], Direction.IN_PROVINCE, "")
    if code.startswith(prefix[:2]):  # the province itself, place unknown below it
        return Place(code, names[code], Direction.IN_PROVINCE, "")
    return Place(code, names[code], Direction.OUT_OF_PROVINCE, "")


def _schema(code: str) -> str:
    from shared.customers.models import Tenant

    schema = (
        Tenant.objects.filter(region_code=code, status=Tenant.Status.ACTIVE)
        .exclude(schema_name=connection.schema_name)
        .values_list("schema_name", flat=True)
        .first()
    )
    return schema or ""
