"""党内统计: every figure against a direct count, subtree, date and scope, page, Excel, API."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.stats.selectors import Statistics, party_statistics
from tests.conftest import logged_in
from tests.tenants.stats.conftest import BRANCH, ON, reference
from zhdj.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _stats(schema: str, username: str, org_id: int | None, on: date = ON) -> Statistics:
    with schema_context(schema):
        scope = scope_for(User.objects.get(username=username))
        return party_statistics(scope, org_id=org_id, on=on)


def _reference(schema: str, on: date, org_id: int | None = None) -> dict[str, object]:
    with schema_context(schema):
        members = Member.objects.prefetch_related("status_changes")
        if org_id is not None:
            path = Organization.objects.get(pk=org_id).path
            members = members.filter(org__path__startswith=path)
        return reference(list(members), on)


def _codes(stats: Statistics, key: str) -> dict[str, int]:
    return {r.code: r.count for r in stats.table(key).rows if r.count}


def _as_reference(stats: Statistics) -> dict[str, object]:
    return {
        "total": stats.total,
        "women": stats.women,
        "minorities": stats.minorities,
        "college": stats.college,
        "probationary": stats.probationary,
        "suspended": stats.suspended,
        "age_bands": {r.code: r.count for r in stats.table("age_bands").rows},
        "joining_periods": {r.code: r.count for r in stats.table("joining_periods").rows},
        "education": _codes(stats, "education"),
        "occupation": _codes(stats, "occupation"),
        "developed": stats.developed,
        "leaving": stats.leaving,
    }


def test_branch_figures_on_the_date(stats_world, alpha):
    stats = _stats(alpha.schema, "admin", stats_world.branch_id)
    assert stats.org_name == BRANCH and stats.on == ON
    # 己 left and 癸 died before ON, 辛 joined after it; 庚 left after ON and still counts.
    assert stats.total == 7
    assert (stats.women, stats.women_share) == (4, 57.1)
    assert stats.minorities == 1  # 甲, 藏族
    assert stats.college == 4  # 本科毕业 ×2, 专科毕业, 硕士毕业; 本科肄业 and 中专 are not
    assert (stats.full, stats.probationary) == (5, 2)  # 丁 became full after ON; 戊 is not yet
    assert stats.suspended == 1  # 壬, restored after ON
    assert stats.developed == 1  # 戊 joined in 2026 before ON
    assert stats.leaving == 1  # 己 (出党); 庚 after ON, 癸 in 2025
    assert _codes(stats, "sex") == {"male": 3, "female": 4}
    assert _codes(stats, "category") == {"full": 5, "probationary": 2}
    assert _codes(stats, "ethnicity") == {"01": 6, "04": 1}
    # 乙 turns 31 on ON itself: 31–35, not 30 and under.
    assert _codes(stats, "age_bands") == {"01": 2, "02": 1, "03": 1, "04": 1, "07": 1, "08": 1}
    assert _codes(stats, "joining_periods") == {"07": 2, "08": 1, "09": 4}
    assert _codes(stats, "education") == {"10": 1, "20": 3, "30": 1, "40": 1, "60": 1}
    assert _codes(stats, "occupation") == {
        "worker": 1,
        "farmer": 1,
        "retired": 1,
        "professional": 1,
        "student": 1,
        "official": 1,
        "": 1,
    }
    assert _codes(stats, "org_types") == {"branch": 1}
    assert _codes(stats, "leaving") == {"leave": 1}
    shares = {r.code: r.share for r in stats.table("sex").rows}
    assert shares == {"male": 42.9, "female": 57.1}
    assert _as_reference(stats) == _reference(alpha.schema, ON, stats_world.branch_id)


def test_date_filter_replays_status_changes(stats_world, alpha):
    today = timezone.localdate()
    stats = _stats(alpha.schema, "admin", stats_world.branch_id, today)
    # Today: 庚 has been transferred out, 辛 has joined, 壬 is restored, 丁 is full.
    assert stats.total == 7
    assert stats.suspended == 0
    assert stats.probationary == 2  # 戊 and 辛
    assert stats.developed == 2
    assert _codes(stats, "leaving") == {"leave": 1, "transfer_out": 1}
    assert _as_reference(stats) == _reference(alpha.schema, today, stats_world.branch_id)
    before = _stats(alpha.schema, "admin", stats_world.branch_id, date(2026, 1, 31))
    assert before.suspended == 0 and before.developed == 1 and before.leaving == 0
    assert _as_reference(before) == _reference(
        alpha.schema, date(2026, 1, 31), stats_world.branch_id
    )
    assert _stats(alpha.schema, "admin", stats_world.branch_id, date(1984, 1, 1)).total == 1


@pytest.mark.parametrize("on", [ON, date(2025, 12, 31), date(2010, 1, 1)])
def test_every_subtree_matches_a_direct_count(stats_world, alpha, on):
    whole = _stats(alpha.schema, "admin", None, on)
    assert _as_reference(whole) == _reference(alpha.schema, on)
    for org_id in (stats_world.town_id, stats_world.village_id, stats_world.branch_id):
        assert _as_reference(_stats(alpha.schema, "admin", org_id, on)) == _reference(
            alpha.schema, on, org_id
        )
    village = _stats(alpha.schema, "admin", stats_world.village_id, on)
    branch = _stats(alpha.schema, "admin", stats_world.branch_id, on)
    town = _stats(alpha.schema, "admin", stats_world.town_id, on)
    assert town.total >= village.total + branch.total
    assert whole.total >= town.total


def test_organizations_by_type_skip_those_dissolved_before_the_date(stats_world, alpha):
    from tenants.orgs.services import org_create, org_dissolve

    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        town = Organization.objects.get(pk=stats_world.town_id)
        gone = org_create(
            scope=scope_for(admin), parent=town, name="已撤销党支部", type_code="branch"
        )
        org_dissolve(
            scope=scope_for(admin),
            org=Organization.objects.get(pk=gone.pk),
            effective_date=date(2026, 8, 1),
            actor=admin,
            reason="测试",
        )
        branches = Organization.objects.filter(
            path__startswith=town.path, type_code="branch", is_active=True
        ).count()
    on_date = _codes(_stats(alpha.schema, "admin", stats_world.town_id), "org_types")
    assert on_date == {"base_committee": 1, "branch": branches + 1}
    today = _stats(alpha.schema, "admin", stats_world.town_id, timezone.localdate())
    assert _codes(today, "org_types") == {"base_committee": 1, "branch": branches}


def test_scope_limits_the_subtree(stats_world, alpha, beta):
    branchsec = _stats(alpha.schema, "branchsec", None)
    assert _as_reference(branchsec) == _reference(alpha.schema, ON, stats_world.village_id)
    assert branchsec.minorities == 0  # 甲 is in the statistics branch, outside the village
    with pytest.raises(ApplicationError, match="管理范围"):
        _stats(alpha.schema, "branchsec", stats_world.branch_id)
    beta_whole = _stats(beta.schema, "admin", None)
    assert _as_reference(beta_whole) == _reference(beta.schema, ON)
    with schema_context(beta.schema):
        assert beta_whole.total == Member.objects.filter(joined_at__lte=ON).count()
    assert beta_whole.minorities == 0


def test_page_renders_tables_and_charts(stats_world, alpha):
    client = logged_in(alpha.host, "admin")
    response = client.get("/stats/", {"org": stats_world.branch_id, "on": ON.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("sex", "category", "age_bands", "joining_periods", "education"):
        assert f'id="chart-{key}"' in page and f'id="data-{key}"' in page
    assert 'zhdjPie("chart-sex", "data-sex")' in page
    assert 'zhdjBar("chart-age_bands", "data-age_bands")' in page
    assert 'data-figure="total"' in page and ">7</div>" in page and "57.1%" in page
    assert "31岁至35岁" in page and "藏族" in page and "党支部" in page
    assert client.get("/stats/").status_code == 200  # defaults: whole county, today
    future = client.get("/stats/", {"on": "2999-01-01"}).content.decode()
    assert "统计日期不能晚于今天" in future and 'id="chart-sex"' not in future


def test_plain_member_is_refused(alpha):
    client = logged_in(alpha.host, "member")
    assert client.get("/stats/").status_code == 403
    assert client.get("/stats/export.xlsx").status_code == 403
    assert client.get("/stats/api/").status_code == 403


def test_branch_secretary_pages_stay_in_scope(stats_world, alpha):
    client = logged_in(alpha.host, "branchsec")
    page = client.get("/stats/").content.decode()
    assert "某村党支部" in page and BRANCH not in page
    refused = client.get("/stats/", {"org": stats_world.branch_id}).content.decode()
    assert 'id="chart-sex"' not in refused
    assert client.get("/stats/export.xlsx", {"org": stats_world.branch_id}).status_code == 400
    assert client.get("/stats/api/", {"org": stats_world.branch_id}).status_code == 404


def test_beta_admin_never_sees_alpha(stats_world, alpha, beta):
    client = logged_in(beta.host, "admin")
    body = client.get("/stats/api/", {"on": ON.isoformat()}).json()
    assert body["figures"][0]["count"] == _reference(beta.schema, ON)["total"]
    minorities = next(f for f in body["figures"] if f["key"] == "minorities")
    assert minorities["count"] == 0
    with schema_context(beta.schema):
        exists_in_beta = Organization.objects.filter(pk=stats_world.branch_id).exists()
    answer = client.get("/stats/api/", {"org": stats_world.branch_id})
    if exists_in_beta:  # the same id is some beta organization: beta data only
        assert answer.json()["org"]["name"] != BRANCH
    else:
        assert answer.status_code == 404
    assert client.get("/stats/api/").status_code == 200
    assert logged_in(alpha.host, "admin").get("/stats/api/").status_code == 200


def test_excel_export_opens_and_holds_the_totals(stats_world, alpha):
    client = logged_in(alpha.host, "admin")
    response = client.get(
        "/stats/export.xlsx", {"org": stats_world.branch_id, "on": ON.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(f'党内统计_{BRANCH}_20260630.xlsx', safe='')}" in disposition
    assert 'filename="party-statistics-20260630.xlsx"' in disposition
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]
    assert BRANCH in rows[0][0] and "2026年06月30日" in rows[1][0]
    values = {row[0]: row[1:] for row in rows if row and row[0]}
    assert values["党员总数"][0] == 7
    assert values["女党员"][0] == 4 and abs(values["女党员"][1] - 0.571) < 1e-9
    assert values["31岁至35岁"][0] == 1 and values["藏族"][0] == 1
    assert values["2026年减少党员"][0] == 1
    assert any(row[0] == "合计" and row[1] == 7 for row in rows)


def test_api_returns_json(stats_world, alpha):
    client = logged_in(alpha.host, "admin")
    response = client.get("/stats/api/", {"org": stats_world.branch_id, "on": ON.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["org"] == {"id": stats_world.branch_id, "name": BRANCH}
    assert body["on"] == "2026-06-30"
    figures = {f["key"]: (f["count"], f["share"]) for f in body["figures"]}
    assert figures["total"] == (7, None) and figures["women"] == (4, 57.1)
    tables = {t["key"]: t for t in body["tables"]}
    assert tables["age_bands"]["total"] == 7
    assert {r["code"]: r["count"] for r in tables["sex"]["rows"]} == {"male": 3, "female": 4}
    assert client.get("/stats/api/", {"on": "2999-01-01"}).status_code == 400
    assert client.get("/stats/api/", {"org": "abc"}).status_code == 400
    anonymous = logged_in(alpha.host, "admin")
    anonymous.logout()
    assert anonymous.get("/stats/api/").status_code in (401, 403)


def test_a_handful_of_queries(stats_world, alpha):
    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username="admin"))
        party_statistics(scope, org_id=None, on=ON)  # warm the code-table caches
        with CaptureQueriesContext(connection) as queries:
            party_statistics(scope, org_id=stats_world.town_id, on=ON)
    # The speed is a benchmark figure (bench/members.py), not an assertion.
    assert len(queries) <= 15, [q["sql"][:120] for q in queries]
