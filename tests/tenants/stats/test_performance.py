"""A county of 50,000 members: ``party_statistics`` stays a handful of queries, well under
2 seconds. Slow to set up (bulk insert), so it runs only with ``ZHDJ_STATS_BENCH=1``."""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.standards.models import CodeTable
from shared.standards.selectors import code_choices
from tenants.members.models import Member, MemberStatusChange
from tenants.members.scope import scope_for
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tenants.stats.selectors import party_statistics

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("ZHDJ_STATS_BENCH"), reason="ZHDJ_STATS_BENCH=1"),
]

MEMBERS = 50_000
BRANCHES = 200
ON = date(2026, 6, 30)


def _populate() -> Organization:
    rng = random.Random(7)
    root = Organization.objects.get_root_nodes().get()
    town = org_create(parent=root, name="压测镇党委", type_code="base_committee")
    town = Organization.objects.get(pk=town.pk)
    branches = [
        org_create(parent=town, name=f"压测{i}支部", type_code="branch") for i in range(BRANCHES)
    ]
    educations = ["11", "14", "21", "23", "31", "41", "61", "71", "81", ""]
    occupations = [c for c, _ in code_choices(CodeTable.OCCUPATION)] + [""]
    rows = []
    for i in range(MEMBERS):
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
        joined = birth + timedelta(days=rng.randrange(18 * 365, 19 * 365 + 30 * 365))
        joined = min(joined, date(2026, 11, 1))
        probationary = joined > date(2025, 11, 1)
        rows.append(
            Member(
                org=branches[i % BRANCHES],
                name=f"压测{i}",
                name_pinyin=f"yace{i}",
                name_initials="yc",
                id_number=f"X{i}",
                id_number_index=f"bench-{i}",
                sex=rng.choice(["male", "female"]),
                ethnicity_code=rng.choice(["01"] * 9 + ["03", "04"]),
                birth_date=birth,
                education_code=rng.choice(educations),
                category_code="probationary" if probationary else "full",
                joined_at=joined,
                full_member_at=None if probationary else joined + timedelta(days=365),
                occupation_code=rng.choice(occupations),
                party_status_code=rng.choice(["normal"] * 40 + ["suspended", "left", "deceased"]),
            )
        )
    members = Member.objects.bulk_create(rows, batch_size=2000)
    changes = [
        MemberStatusChange(
            member=m,
            action="transfer_out",
            effective_date=date(2026, 1, 1) + timedelta(days=rng.randrange(300)),
            reason="压测",
            from_status="normal",
            to_status="transferred_out",
        )
        for m in rng.sample(members, 3000)
    ]
    MemberStatusChange.objects.bulk_create(changes, batch_size=2000)
    for m in {c.member for c in changes}:
        m.party_status_code = "transferred_out"
    Member.objects.bulk_update({c.member for c in changes}, ["party_status_code"], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Organization.objects.get(pk=town.pk)


def test_fifty_thousand_members(alpha, capsys):
    with schema_context(alpha.schema):
        town = _populate()
        scope = scope_for(User.objects.get(username="admin"))
        party_statistics(scope, org_id=None, on=ON)  # warm the code-table caches
        for org_id in (None, town.pk):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                stats = party_statistics(scope, org_id=org_id, on=ON)
                elapsed = time.perf_counter() - started
            with capsys.disabled():
                print(
                    f"\norg={org_id} total={stats.total} queries={len(queries)} "
                    f"time={elapsed * 1000:.0f} ms"
                )
                for q in sorted(queries, key=lambda q: -float(q["time"]))[:4]:
                    print(f"  {float(q['time']) * 1000:.0f} ms {q['sql'][:90]}")
            assert stats.total > 35_000
            assert len(queries) <= 15
            assert elapsed < 2
