"""Profile completeness (信息完整度): the one definition of which items make a member's
record complete, used by the member page (one member's percentage) and by the city
dashboard's 信息完整率 (the same percentage over all the members counted: items filled ÷
items expected), so the two always agree.

The items are the optional fields of the national member system a branch most often
leaves empty, plus the family set (家庭成员); required fields are always filled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from tenants.members.models import Member
from tenants.members.records import FamilyRecord


@dataclass(frozen=True)
class Item:
    name: str  # the Chinese name of the item
    filled: Callable[[Member], bool]  # on one member (the page)
    condition: Callable[[], Q]  # the same test as SQL (the dashboard's grouped count)


def _field(field: str) -> Callable[[Member], bool]:
    return lambda member: bool(getattr(member, field))


ITEMS: tuple[Item, ...] = (
    Item("学历", _field("education_code"), lambda: ~Q(education_code="")),
    Item("职业", _field("occupation_code"), lambda: ~Q(occupation_code="")),
    Item("工作岗位", _field("job_title"), lambda: ~Q(job_title="")),
    # The phone is encrypted; its blind index is NULL exactly when there is none.
    Item("手机号", _field("phone"), lambda: Q(phone_index__isnull=False)),
    # The address is encrypted too; a blank one is stored as "" (never encrypted).
    Item("家庭住址", _field("address"), lambda: Q(GreaterThan(Length("address"), 0))),
    Item(
        "家庭成员",
        lambda member: FamilyRecord.objects.filter(member=member).exists(),
        # IN over the set of members with a record: PostgreSQL hashes that set once (a
        # correlated EXISTS probed the index once per member, ~2x the whole rollup).
        lambda: Q(pk__in=FamilyRecord.objects.values("member_id")),
    ),
)


def member_completeness(member: Member) -> int:
    """The percentage of the items filled in one member's record."""
    filled = sum(1 for item in ITEMS if item.filled(member))
    return round(100 * filled / len(ITEMS))


def item_conditions() -> list[tuple[str, Any]]:
    """(item name, SQL condition) per item, for counting over many members at once."""
    return [(item.name, item.condition()) for item in ITEMS]
