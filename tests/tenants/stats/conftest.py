"""A statistics branch in alpha, built through the member services, and a reference count.

``reference`` counts member by member in Python (status on the date replayed from the
status changes, age by ``age_on``): the direct count every SQL figure is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.standards.models import CodeTable
from shared.standards.selectors import codes, codes_flagged
from tenants.access.scope import Scope, scope_for
from tenants.members.models import Member
from tenants.members.services import member_change_status, member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from zhdj.pii.idnumber import age_on, make_id_number

ON = date(2026, 6, 30)
BRANCH = "统计测试党支部"

# name, sex, birth, ethnicity, education, occupation, joined, full member since (None:
# probationary)
PEOPLE = [
    ("甲", "female", "1998-03-01", "04", "21", "worker", "2020-07-01", "2021-07-01"),
    ("乙", "male", "1995-06-30", "01", "41", "farmer", "2016-05-01", "2017-05-01"),
    ("丙", "female", "1960-01-01", "01", "31", "retired", "1985-07-01", "1986-07-01"),
    ("丁", "male", "1990-05-05", "01", "23", "professional", "2025-08-01", "2026-08-01"),
    ("戊", "female", "2000-02-02", "01", "21", "student", "2026-01-10", None),
    ("己", "male", "1970-01-01", "01", "21", "worker", "1995-07-01", "1996-07-01"),
    ("庚", "female", "1980-10-10", "01", "14", "official", "2005-07-01", "2006-07-01"),
    ("辛", "male", "1999-09-09", "01", "21", "worker", "2026-09-01", None),
    ("壬", "male", "1966-06-06", "01", "61", "", "1990-07-01", "1991-07-01"),
    ("癸", "male", "1950-01-01", "01", "81", "retired", "1975-07-01", "1976-07-01"),
]
# name, action, effective date (in order)
CHANGES = [
    ("己", "leave", date(2026, 3, 1)),  # left before ON
    ("庚", "transfer_out", date(2026, 9, 1)),  # left after ON: still counted on ON
    ("壬", "suspend", date(2026, 2, 1)),  # suspended on ON ...
    ("壬", "restore", date(2026, 10, 1)),  # ... restored since
    ("癸", "death", date(2025, 12, 1)),  # the year before: not a 2026 decrease
]


@dataclass(frozen=True)
class StatsWorld:
    branch_id: int
    village_id: int
    town_id: int


@pytest.fixture
def stats_world(db, alpha) -> StatsWorld:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        scope = scope_for(admin)
        town = Organization.objects.get(name__endswith="某镇党委")
        village = Organization.objects.get(name__endswith="某村党支部")
        branch = org_create(scope=scope, parent=town, name=BRANCH, type_code="branch")
        branch = Organization.objects.get(pk=branch.pk)
        members = {}
        for seq, (name, sex, born, eth, edu, occ, joined, full) in enumerate(PEOPLE, 101):
            birth = date.fromisoformat(born)
            members[name] = member_create(
                scope=scope,
                data=MemberData(
                    org=branch,
                    name=f"统计{name}",
                    id_number=make_id_number(alpha.region_code, birth, seq, sex),
                    ethnicity_code=eth,
                    education_code=edu,
                    occupation_code=occ,
                    category_code="full" if full else "probationary",
                    joined_at=date.fromisoformat(joined),
                    full_member_at=date.fromisoformat(full) if full else None,
                ),
            )
        for name, action, effective in CHANGES:
            member_change_status(
                scope=Scope.system(),
                member=members[name],
                action=action,
                effective_date=effective,
                reason="统计测试",
                actor=admin,
            )
        world = StatsWorld(branch.pk, village.pk, town.pk)
    connection.set_schema_to_public()
    return world


def reference(members: list[Member], on: date) -> dict[str, object]:
    """Figures counted member by member (call inside the county's schema)."""
    on_roll = codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    minority = codes_flagged(CodeTable.ETHNICITY, "minority")
    college = codes_flagged(CodeTable.EDUCATION, "college_or_above")
    parents = {c.code: c.parent_code or c.code for c in codes(CodeTable.EDUCATION)}
    bands = [(c.code, c.extra["min"], c.extra["max"]) for c in codes(CodeTable.AGE_BAND)]
    periods = [(c.code, c.extra["from"], c.extra["to"]) for c in codes(CodeTable.JOINING_PERIOD)]

    def status_on(m: Member) -> str:
        later = sorted(
            (c for c in m.status_changes.all() if c.effective_date > on),
            key=lambda c: (c.effective_date, c.pk),
        )
        return later[0].from_status if later else m.party_status_code

    counted = [m for m in members if m.joined_at <= on and status_on(m) in on_roll]
    ages = {m.pk: age_on(m.birth_date, on) for m in counted}

    def in_period(d: date, low: str | None, high: str | None) -> bool:
        return (low is None or d >= date.fromisoformat(low)) and (
            high is None or d <= date.fromisoformat(high)
        )

    start = date(on.year, 1, 1)
    return {
        "total": len(counted),
        "women": sum(m.sex == "female" for m in counted),
        "minorities": sum(m.ethnicity_code in minority for m in counted),
        "college": sum(m.education_code in college for m in counted),
        "probationary": sum(
            m.full_member_at > on if m.full_member_at else m.category_code == "probationary"
            for m in counted
        ),
        "suspended": sum(status_on(m) == "suspended" for m in counted),
        "age_bands": {
            code: sum(low <= ages[m.pk] and (high is None or ages[m.pk] <= high) for m in counted)
            for code, low, high in bands
        },
        "joining_periods": {
            code: sum(in_period(m.joined_at, low, high) for m in counted)
            for code, low, high in periods
        },
        "education": _tally(parents.get(m.education_code, "") for m in counted),
        "occupation": _tally(m.occupation_code for m in counted),
        "developed": sum(start <= m.joined_at <= on for m in members),
        "leaving": sum(
            c.action in ("leave", "death", "transfer_out") and start <= c.effective_date <= on
            for m in members
            for c in m.status_changes.all()
        ),
    }


def _tally(values) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out
