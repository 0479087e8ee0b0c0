"""What the dashboard payload and its Excel/PDF report read like (issue 15, 读起来不对):
money in 元, Beijing time in Chinese, 占比 only where it means something, labels (never
codes) for dimensions, and 信息完整率 the same figure as the member page's 完整度."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.rollups.exports import workbook
from shared.rollups.report import city_payload
from shared.rollups.selectors import County
from shared.rollups.services import rollup_city
from tenants.members.models import Member
from tenants.members.record_services import member_completeness
from tests.conftest import logged_in
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db

ROLLED = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)  # 12:30 in Beijing


def _payload() -> dict:
    values = {
        "members.total": {"": 10},
        "dues.due_fen": {"2026-11": 841110, "2026-09": 5000, "2026-10": 1234},
        "members.by_sex": {"男": 6, "女": 4},
    }
    county = County(1, "榆阳区", "yuyang", "610802", date(2026, 12, 6), ROLLED, values)
    return city_payload([county], values)


def _dimension(payload: dict, key: str) -> dict:
    return next(d for d in payload["dimensions"] if d["key"] == key)


def test_money_reads_in_yuan_with_two_decimals_and_months_in_order():
    dues = _dimension(_payload(), "dues.due_fen")
    assert dues["unit"] == "元"
    assert [r["name"] for r in dues["rows"]] == ["2026-09", "2026-10", "2026-11"]
    assert dues["rows"][2]["value"] == 8411.1
    assert dues["rows"][2]["text"] == "8,411.10"


def test_share_only_where_the_dimensions_split_one_whole():
    payload = _payload()
    dues = _dimension(payload, "dues.due_fen")
    assert not dues["composition"]
    assert all("share" not in r for r in dues["rows"])
    sex = _dimension(payload, "members.by_sex")
    assert sex["composition"]
    assert {r["name"]: r["share"] for r in sex["rows"]} == {"男": 60.0, "女": 40.0}


def test_rolled_at_reads_in_beijing_time():
    assert _payload()["rolled_at_text"] == "2026年12月6日 12:30"


def test_excel_shows_yuan_beijing_time_and_no_meaningless_share():
    book = load_workbook(io.BytesIO(workbook(_payload())))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert summary["数据汇总时间"] == "2026年12月6日 12:30"
    assert "年" in summary["导出时间"] and "T" not in summary["导出时间"]
    dues = book["应交党费"]
    header = [c.value for c in dues[1]]
    assert header == ["月份", "金额（元）"]
    assert dues["B4"].value == 8411.1
    assert dues["B4"].number_format == "#,##0.00"
    sex = book["党员性别"]
    assert [c.value for c in sex[1]] == ["性别", "数量（人）", "占比%"]


def test_pdf_report_reads_yuan_and_beijing_time():
    from django.template.loader import render_to_string

    html = render_to_string("rollups/report_pdf.html", {"payload": _payload(), "now": ROLLED})
    assert "2026年12月6日 12:30" in html
    assert "8,411.10" in html and "841110" not in html
    assert "T04:30" not in html


def test_complete_rate_is_the_member_pages_completeness_over_all_members(alpha, beta):
    percents = []
    for county in (alpha, beta):
        with schema_context(county.schema):
            percents += [member_completeness(m) for m in Member.objects.all()]
            n = Member.objects.count()
    connection.set_schema_to_public()
    rollup_city()
    connection.set_schema_to_public()
    data = logged_in(CITY_HOST, "city").get("/dashboard/data.json").json()
    rate = next(k for k in data["kpis"] if k["key"] == "complete_rate")["value"]
    # items filled ÷ items expected == the mean of the member pages' percentages
    assert n and rate == pytest.approx(sum(percents) / len(percents), abs=1)
    assert rate > 0
