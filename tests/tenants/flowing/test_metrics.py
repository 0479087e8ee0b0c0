"""The city dashboard's flowing-member figures, checked against members sent out through
the services: by direction, card holders, destinations and provinces, reports overdue,
members flowing in; then rolled up to the city's table and e-map."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.rollups.registry import collection, get_metric
from shared.rollups.services import rollup_city
from tenants.access.scope import Scope, scope_for
from tenants.flowing import services
from tenants.flowing.metrics import (
    by_destination,
    by_direction,
    by_province,
    card_holders,
    inflow,
    overdue_reports,
)
from tenants.flowing.models import ContactLog, DuesPlace, Inflow, Paper
from tenants.flowing.regions import ABROAD
from tenants.members.models import Member
from tests.conftest import logged_in
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DIRECTIONS = ["市内流动", "省内跨市", "跨省流动", "出国（境）"]


def _go(b, name: str, code: str, *, months_ago: int = 1, **kw):  # type: ignore[no-untyped-def]
    start = TODAY - relativedelta(months=months_ago)
    going = services.Going(
        reason=kw.pop("reason", "work"),
        destination_code=code,
        place=kw.pop("place", "某地某单位"),
        starts_on=start,
        ends_on=start + relativedelta(months=kw.pop("months", 12)),
        contact="13800000000",
        paper=kw.pop("paper", Paper.CARD),
        **kw,
    )
    member = Member.objects.get(name__endswith=name)
    return services.outflow_register(
        scope=Scope.system(), member=member, going=going, actor=b.secretary
    )


def away_four(b):  # type: ignore[no-untyped-def]
    """Alpha's four members away, one in each direction; two with the card."""
    town = scope_for(b.townsec)
    far = _go(b, "榆阳区党员", "440000", months_ago=13, months=18)  # 跨省, never reported
    services.card_issue(scope=town, outflow=far, actor=b.townsec)
    near = _go(b, "王书记", "610803", dues_place=DuesPlace.DESTINATION)  # 市内, to beta
    services.card_issue(scope=town, outflow=near, actor=b.townsec)
    services.contact_record(
        scope=Scope.system(), member=near.member, kind=ContactLog.Kind.REACHED, on=TODAY,
        way="电话", note="在横山区工作，一切正常", actor=b.secretary,
    )  # fmt: skip
    _go(b, "李支书", "610100")  # 省内跨市 (西安市), card not issued yet
    _go(b, "赵其他", ABROAD, place="英国伦敦", reason="study", paper=Paper.ABROAD, months=24)
    return far


def test_figures_by_direction_card_destination_and_overdue(b):  # type: ignore[no-untyped-def]
    far = away_four(b)
    with collection():
        assert by_direction() == [(d, 1) for d in DIRECTIONS]
        assert dict(card_holders()) == {"": 2}
        places = dict(by_destination())
        assert places == {"广东省": 1, "横山区": 1, "陕西省西安市": 1, "出国（境）": 1}
        assert dict(by_province()) == {"广东省": 1, "陕西省": 1}
        assert dict(overdue_reports()) == {"": 1}  # 13 months away, never reported
        assert dict(inflow()) == {"": 0}
        per_org = get_metric("flowing.by_direction").per_org()
    village = b.village.pk
    assert sorted(per_org) == sorted(
        [*((village, d, 1) for d in DIRECTIONS[:3]), (b.other.pk, "出国（境）", 1)]
    )
    services.report_back(
        member=far.member, on=TODAY, way="微信", note="在深圳务工，思想稳定", user=b.member
    )
    with collection():
        assert dict(overdue_reports()) == {"": 0}
    ended = services.outflow_return(
        scope=Scope.system(), outflow=far, returned_on=TODAY, card_returned=True,
        actor=b.secretary,
    )  # fmt: skip
    assert ended.card_returned_on == TODAY
    with collection():
        assert dict(card_holders()) == {"": 1}
        assert dict(by_direction())["跨省流动"] == 0


def _inflow(state: str) -> Inflow:
    return Inflow.objects.create(
        notice_id=uuid.uuid4(),
        source_schema="alpha",
        name="张流入",
        from_name="榆阳区某村党支部",
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=300),
        state=state,
    )


def test_rolled_up_to_the_city_table_and_map(b, alpha, beta):  # type: ignore[no-untyped-def]
    away_four(b)
    with schema_context(beta.schema):
        # Beta keeps the members flowing in as the inflow pages do (another helper's
        # sync writes these rows from the notices): one here, one gone.
        _inflow(Inflow.State.PLACED)
        _inflow(Inflow.State.ENDED)
    connection.set_schema_to_public()
    rollup_city()
    city = logged_in(CITY_HOST, "city")
    data = city.get("/dashboard/data.json").json()
    rows = {r["name"]: r for r in data["rows"]}
    assert rows["榆阳区"]["flowing.card_holders:"] == 2
    assert rows["榆阳区"]["flowing.overdue_reports:"] == 1
    assert rows["横山区"]["flowing.inflow:"] == 1
    labels = [c["label"] for c in data["columns"]]
    assert {"持活动证", "流入党员", "报告逾期"} <= set(labels)
    direction = next(d for d in data["dimensions"] if d["key"] == "flowing.by_direction")
    assert direction["chart"] == "pie" and direction["dimension_label"] == "流向"
    assert [r["name"] for r in direction["rows"]] == DIRECTIONS
    emap = city.get("/dashboard/map/data.json").json()
    inflows = {c["county"]: c["value"] for c in emap["flowing"]["inflow"]}
    assert inflows == {"榆阳区": 0, "横山区": 1}
    assert emap["flowing"]["provinces"] == [
        {"name": "广东省", "value": 1},
        {"name": "陕西省", "value": 1},
    ]
    page = city.get("/dashboard/map/").content.decode()
    assert "流向市外的流动党员（按省份）" in page and "市内流入党员" in page
    workbook = city.get("/dashboard/report.xlsx")
    assert workbook.status_code == 200
