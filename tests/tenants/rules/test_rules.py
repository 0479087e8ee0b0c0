from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.standards.models import RuleParameter
from tenants.access.scope import Scope
from tenants.rules.models import RuleOverride
from tenants.rules.selectors import UnknownRule, effective_rules, rule_value, rule_values
from tenants.rules.services import rule_override_clear, rule_override_set
from tests.conftest import logged_in
from zhdj.errors import ApplicationError

KEY = "organization.meeting_backfill_days"


@pytest.fixture
def decimal_rule(db):  # type: ignore[no-untyped-def]
    return RuleParameter.objects.create(
        key="test.rate", domain="test", name="测试比例", kind="decimal", value="0.5",
        min_value="0.2", max_value="1", unit="元",
    )  # fmt: skip


def test_seeded_default_is_in_force_without_override(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        assert rule_value(KEY) == 30
        assert rule_values("organization.")[KEY] == 30


def test_override_applies_to_its_county_only(db, alpha, beta):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        rule_override_set(
            scope=Scope.system(),
            key=KEY,
            value="7",
            reason="省委文件",
            actor=User.objects.get(username="admin"),
        )
        assert rule_value(KEY) == 7
        (rule,) = [r for r in effective_rules("organization.") if r.parameter.key == KEY]
        assert rule.is_overridden and rule.override.reason == "省委文件"
    with schema_context(beta.schema):
        assert rule_value(KEY) == 30
    with schema_context(alpha.schema):
        rule_override_clear(scope=Scope.system(), key=KEY)
        assert rule_value(KEY) == 30


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "应为整数"), ("-1", "不能小于 0"), ("366", "不能大于 365"), ("1.5", "应为整数")],
)
def test_bad_values_are_refused_naming_the_rule(db, alpha, value, message):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        with pytest.raises(ApplicationError) as exc:
            rule_override_set(scope=Scope.system(), key=KEY, value=value, reason="试", actor=admin)
        assert exc.value.field == "value"
        assert "组织生活补录期限" in exc.value.message and message in exc.value.message
        assert not RuleOverride.objects.exists()


def test_reason_required_and_unknown_or_fixed_rules_refused(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        with pytest.raises(ApplicationError, match="调整依据"):
            rule_override_set(scope=Scope.system(), key=KEY, value="7", reason=" ", actor=admin)
        with pytest.raises(ApplicationError, match="没有这个规则参数"):
            rule_override_set(
                scope=Scope.system(), key="no.such", value="7", reason="x", actor=admin
            )
        RuleParameter.objects.filter(key=KEY).update(overridable=False)
        with pytest.raises(ApplicationError, match="市级统一规定"):
            rule_override_set(scope=Scope.system(), key=KEY, value="7", reason="x", actor=admin)
        with pytest.raises(UnknownRule):
            rule_value("no.such")


def test_decimal_rules_keep_exact_values(db, alpha, decimal_rule):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        admin = User.objects.get(username="admin")
        assert rule_value("test.rate") == Decimal("0.5")
        rule_override_set(
            scope=Scope.system(), key="test.rate", value="0.30", reason="县委决定", actor=admin
        )
        assert rule_value("test.rate") == Decimal("0.30")
        with pytest.raises(ApplicationError, match="不能大于 1元"):
            rule_override_set(
                scope=Scope.system(), key="test.rate", value="1.01", reason="x", actor=admin
            )


def test_page_lets_the_county_admin_adjust_and_restore(db, alpha):  # type: ignore[no-untyped-def]
    client = logged_in(alpha.host, "admin")
    page = client.get("/rules/")
    assert page.status_code == 200
    assert "组织生活补录期限" in page.content.decode()
    bad = client.post(f"/rules/{KEY}/", {"value": "999", "reason": "试"})
    assert bad.status_code == 200 and "不能大于 365" in bad.content.decode()
    ok = client.post(f"/rules/{KEY}/", {"value": "10", "reason": "市委文件"})
    assert ok.status_code == 302
    with schema_context(alpha.schema):
        assert rule_value(KEY) == 10
    client.post(f"/rules/{KEY}/", {"clear": "1", "value": "", "reason": ""})
    with schema_context(alpha.schema):
        assert rule_value(KEY) == 30


@pytest.mark.parametrize("username", ["member", "branchsec", "townsec"])
def test_page_is_for_the_county_admin_only(db, alpha, username):  # type: ignore[no-untyped-def]
    client = logged_in(alpha.host, username)
    assert client.get("/rules/").status_code == 403
    assert client.post(f"/rules/{KEY}/", {"value": "5", "reason": "x"}).status_code == 403
    with schema_context(alpha.schema):
        assert not RuleOverride.objects.exists()


def test_unknown_rule_page_is_404(db, alpha):  # type: ignore[no-untyped-def]
    assert logged_in(alpha.host, "admin").get("/rules/no.such/").status_code == 404


def test_money_rules_are_shown_and_typed_in_yuan(db, alpha):  # type: ignore[no-untyped-def]
    farmer = "dues.farmer_monthly_fen"
    client = logged_in(alpha.host, "admin")
    page = client.get("/rules/").content.decode()
    assert "20 分" not in page and "100000 分" not in page
    assert "0.20 元" in page and "1000.00 元" in page and "0.20 – 1.00 元" in page
    assert f'class="btn btn--plain" href="/rules/{farmer}/"' in page
    assert "标注“可调整”" not in page
    form = client.get(f"/rules/{farmer}/").content.decode()
    assert 'value="0.20"' in form and "0.20 元" in form
    too_much = client.post(f"/rules/{farmer}/", {"value": "1.5", "reason": "县委决定"})
    assert "不能大于 1.00元" in too_much.content.decode()
    fraction = client.post(f"/rules/{farmer}/", {"value": "0.255", "reason": "县委决定"})
    assert "应为金额（元）" in fraction.content.decode()
    assert (
        client.post(f"/rules/{farmer}/", {"value": "0.5", "reason": "县委决定"}).status_code == 302
    )
    with schema_context(alpha.schema):
        assert rule_value(farmer) == 50
    page = client.get("/rules/").content.decode()
    assert "<strong>0.50</strong> 元" in page
