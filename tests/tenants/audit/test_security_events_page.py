"""The security events page (安全审计) of a county and of the city: filters, the Excel export
(itself an event), the retention purge, and rows nobody can change — not even by raw SQL."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.accounts.events import Kind
from shared.accounts.models import SecurityEvent
from shared.accounts.security_log import purge_all, purge_schema, retention_cutoff
from shared.accounts.tasks import purge_security_events
from tests.conftest import logged_in
from tests.support.world import ALPHA, BETA, CITY_HOST

pytestmark = pytest.mark.django_db


def _event(kind: str, username: str, *, days_ago: float = 0, target: str = "") -> SecurityEvent:
    return SecurityEvent.objects.create(
        kind=kind,
        username=username,
        at=timezone.now() - timedelta(days=days_ago),
        target=target,
        ip="10.0.0.1",
    )


def _rows(page: str) -> str:
    return page.split('data-testid="event-rows"')[1].split("</tbody>", maxsplit=1)[0]


@pytest.fixture
def seeded(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        _event(Kind.LOGIN_FAILED, "guess-one", days_ago=3, target="失败甲")
        _event(Kind.LOGIN_FAILED, "guess-two", days_ago=1, target="失败乙")
        _event(Kind.LOCKED_OUT, "guess-one", days_ago=1, target="锁定甲")
        _event(Kind.EXPORT, "=HYPERLINK(1)", days_ago=0, target="公式名")
    return alpha


def test_filters_by_kind_user_and_date(seeded):
    client = logged_in(seeded.host, "shenji")
    by_kind = _rows(client.get("/audit/events/", {"kind": "login_failed"}).content.decode())
    assert "失败甲" in by_kind and "失败乙" in by_kind and "锁定甲" not in by_kind
    assert "登录失败" in by_kind and ">login_failed<" not in by_kind
    by_user = _rows(client.get("/audit/events/", {"user": "guess-one"}).content.decode())
    assert "失败甲" in by_user and "锁定甲" in by_user and "失败乙" not in by_user
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    by_date = _rows(
        client.get("/audit/events/", {"date_from": day, "date_to": day}).content.decode()
    )
    assert "失败乙" in by_date and "锁定甲" in by_date
    assert "失败甲" not in by_date and "公式名" not in by_date


def test_a_refused_filter_shows_why_and_no_rows(seeded):
    client = logged_in(seeded.host, "shenji")
    today = timezone.localdate()
    refused = client.get(
        "/audit/events/",
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=2)).isoformat()},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "结束日期不能早于开始日期" in page and "暂无记录" in page
    bad = client.get("/audit/events/", {"kind": "drop table", "date_from": "2026-02-30"})
    assert bad.status_code == 400
    assert (
        "请选择列表中的事件" in bad.content.decode() and "请输入有效的日期" in bad.content.decode()
    )
    no_file = client.get("/audit/events/export.xlsx", {"date_from": "2026-02-30"})
    assert no_file.status_code == 400 and "未导出任何数据" in no_file.content.decode()


def test_the_export_is_the_filtered_rows_as_text_and_an_event_itself(seeded, settings):
    settings.ZHDJ_TRUSTED_PROXIES = 1
    client = logged_in(seeded.host, "shenji")
    with schema_context(seeded.schema):
        before = SecurityEvent.objects.filter(kind=Kind.EXPORT).count()
    response = client.get(
        "/audit/events/export.xlsx",
        {"kind": "export"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 10.20.30.40",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "用户名")
    assert {r[1] for r in rows[1:]} == {"数据导出"}
    formula = next(c for c in ws["C"] if c.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"  # text, never a formula
    with schema_context(seeded.schema):
        events = list(SecurityEvent.objects.filter(kind=Kind.EXPORT).order_by("id")[before:])
    assert len(events) == 1
    (event,) = events
    assert (event.username, event.target, event.ip) == ("shenji", "安全审计", "10.20.30.40")
    assert "事件：数据导出" in event.detail and "安全审计-" in event.detail


def test_the_security_administrator_reads_but_does_not_export(seeded):
    client = logged_in(seeded.host, "anquan")
    page = client.get("/audit/events/").content.decode()
    assert "失败甲" in page and 'data-testid="events-export"' not in page
    assert client.get("/audit/events/export.xlsx").status_code == 403
    auditor = logged_in(seeded.host, "shenji").get("/audit/events/").content.decode()
    assert 'data-testid="events-export"' in auditor


def test_the_audit_trail_export_is_the_auditors(alpha):
    client = logged_in(alpha.host, "shenji")
    response = client.get("/audit/export.xlsx", {"kind": "org"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and any("党组织" in (r[3] or "") for r in rows[1:])
    with schema_context(alpha.schema):
        event = SecurityEvent.objects.filter(kind=Kind.EXPORT).latest("id")
    assert event.target == "审计日志" and "对象：党组织" in event.detail
    assert logged_in(alpha.host, "admin").get("/audit/export.xlsx").status_code == 403


def test_the_city_page_shows_the_city_events_only(db):
    _event(Kind.LOGIN, "city", target="市级事件")
    with schema_context(ALPHA.schema):
        _event(Kind.LOGIN, "admin", target="区县事件")
    connection.set_schema_to_public()
    client = logged_in(CITY_HOST, "shenji")
    page = client.get("/security/").content.decode()
    assert "市级事件" in page and "区县事件" not in page
    response = client.get("/security/export.xlsx", {"user": "city"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any(r[5] == "市级事件" for r in rows[1:])
    assert SecurityEvent.objects.filter(kind=Kind.EXPORT, username="shenji").exists()


# --- Retention -----------------------------------------------------------------------------


def test_the_purge_keeps_the_retention_period_in_every_schema(db, settings):
    for schema in ("public", ALPHA.schema, BETA.schema):
        with schema_context(schema):
            for days in (400, 200, 100):
                _event(Kind.LOGIN, f"old-{days}", days_ago=days)
    settings.ZHDJ_AUDIT_RETENTION_DAYS = 365
    done = purge_security_events()  # the beat task, run here
    assert done["public"] >= 1 and done[ALPHA.schema] >= 1 and done[BETA.schema] >= 1
    for schema in ("public", ALPHA.schema, BETA.schema):
        with schema_context(schema):
            left = set(
                SecurityEvent.objects.filter(username__startswith="old-").values_list(
                    "username", flat=True
                )
            )
            assert left == {"old-200", "old-100"}, schema
    settings.ZHDJ_AUDIT_RETENTION_DAYS = 30  # below the floor: 180 days all the same
    assert retention_cutoff() < timezone.now() - timedelta(days=179)
    purge_all()
    with schema_context(ALPHA.schema):
        assert set(
            SecurityEvent.objects.filter(username__startswith="old-").values_list(
                "username", flat=True
            )
        ) == {"old-100"}


def test_the_database_refuses_the_purge_of_young_rows_and_deletes_without_the_flag(alpha):
    with schema_context(alpha.schema):
        young = _event(Kind.LOGIN, "young", days_ago=100)
        old = _event(Kind.LOGIN, "old", days_ago=400)
        with pytest.raises(DatabaseError, match="不可修改或删除"), transaction.atomic():
            SecurityEvent.objects.filter(pk=old.pk).delete()  # no purge flag
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL zhdj.audit_purge = 'on'")
            cursor.execute("DELETE FROM accounts_securityevent WHERE id = %s", [young.pk])
        # The service purging with a cutoff that would take the young row: refused.
        with pytest.raises(DatabaseError):
            purge_schema(timezone.now())
        assert SecurityEvent.objects.filter(pk__in=[young.pk, old.pk]).count() == 2


# --- Immutability by raw SQL ------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["public", ALPHA.schema])
def test_security_events_cannot_be_changed_or_deleted_even_by_raw_sql(db, schema):
    with schema_context(schema):
        event = _event(Kind.LOGIN, "immutable")
        for sql in (
            "UPDATE accounts_securityevent SET detail = 'changed' WHERE id = %s",
            "UPDATE accounts_securityevent SET at = now() - interval '1000 days' WHERE id = %s",
            "DELETE FROM accounts_securityevent WHERE id = %s",
            "TRUNCATE accounts_securityevent",
        ):
            params = [event.pk] if "%s" in sql else []
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, params)
        event.refresh_from_db()
        assert event.detail == ""


@pytest.mark.parametrize(
    "label", ["members.MemberEvent", "orgs.OrganizationEvent", "access.PostGrantOverrideEvent"]
)
def test_audit_trail_rows_cannot_be_changed_or_deleted_even_by_raw_sql(alpha, label):
    model = apps.get_model(label)
    table = model._meta.db_table
    with schema_context(alpha.schema):
        if not model.objects.exists():
            from shared.accounts.models import User
            from tenants.access.models import PostGrantOverride

            PostGrantOverride.objects.create(
                post_code="youth",
                permission="stats.view",
                granted=True,
                reason="测试",
                updated_by=User.objects.get(username="anquan"),
            )
        pk = model.objects.values_list("pgh_id", flat=True).first()
        for sql in (
            f"UPDATE {table} SET pgh_label = 'changed' WHERE pgh_id = %s",
            f"DELETE FROM {table} WHERE pgh_id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [pk])
        assert model.objects.filter(pgh_id=pk).exclude(pgh_label="changed").exists()
