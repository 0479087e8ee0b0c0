"""Bracket edges of 中组发〔2008〕3号 (domain-rules.md §2): upper edges are inclusive."""

from __future__ import annotations

import pytest

from shared.accounts.models import User
from tenants.dues.calc import Tables, parse_yuan, proportional_fen
from tenants.rules.models import RuleOverride
from zhdj.errors import ApplicationError


@pytest.mark.parametrize(
    ("base_fen", "rate_bp", "amount_fen"),
    [
        (300000, 50, 1500),  # 3000.00 元: 0.5% = 15.00
        (300001, 100, 3000),  # 3000.01 元: 1% = 30.0001 → 30.00
        (500000, 100, 5000),  # 5000.00 元: 1% = 50.00
        (500001, 150, 7500),  # 5000.01 元: 1.5%
        (1000000, 150, 15000),  # 10000.00 元: 1.5% = 150.00
        (1000001, 200, 20000),  # 10000.01 元: 2% = 200.0002 → 200.00
        (1, 50, 0),
        (333333, 100, 3333),  # 3333.33 × 1% = 33.3333 → 33.33
        (450050, 100, 4501),  # 4500.50 × 1% = 45.005 → half up 45.01
    ],
)
def test_in_service_brackets_have_inclusive_upper_edges(in_alpha, base_fen, rate_bp, amount_fen):
    standard = Tables().standard("in_service", base_fen)
    assert (standard.rate_bp, standard.amount_fen) == (rate_bp, amount_fen)


def test_annual_salary_and_self_employed_use_the_same_brackets(in_alpha):
    tables = Tables()
    for code in ("annual_salary", "self_employed"):
        assert tables.standard(code, 300000).rate_bp == 50
        assert tables.standard(code, 1000001).rate_bp == 200


@pytest.mark.parametrize(
    ("base_fen", "rate_bp", "amount_fen"),
    [(500000, 50, 2500), (500001, 100, 5000), (200000, 50, 1000)],
)
def test_retired_members_pay_half_a_percent_up_to_5000_inclusive(
    in_alpha, base_fen, rate_bp, amount_fen
):
    standard = Tables().standard("retired", base_fen)
    assert (standard.rate_bp, standard.amount_fen) == (rate_bp, amount_fen)


@pytest.mark.parametrize("code", ["student", "unemployed", "low_income"])
def test_students_unemployed_and_low_income_pay_twenty_fen(in_alpha, code):
    assert Tables().standard(code, 999999).amount_fen == 20


def test_farmers_pay_the_county_amount_within_its_bounds(in_alpha):
    assert Tables().standard("farmer", 0).amount_fen == 20
    RuleOverride.objects.create(key="dues.farmer_monthly_fen", value=50, updated_by=_admin())
    assert Tables().standard("farmer", 0).amount_fen == 50


def test_the_low_income_amount_is_not_overridable(in_alpha):
    RuleOverride.objects.create(key="dues.low_income_monthly_fen", value=80, updated_by=_admin())
    assert Tables().standard("student", 0).amount_fen == 20


def test_money_is_integer_arithmetic():
    assert proportional_fen(10**12 + 1, 200) == 2 * 10**10
    assert parse_yuan("3000.01", field="base") == 300001
    assert parse_yuan("1,000", field="base") == 100000


@pytest.mark.parametrize("text", ["abc", "1.001", "-5", "", "NaN"])
def test_bad_amounts_get_a_chinese_error_naming_the_field(text):
    with pytest.raises(ApplicationError) as exc:
        parse_yuan(text, field="base", label="基数")
    assert exc.value.field == "base"
    assert "基数" in exc.value.message


def _admin() -> User:
    return User.objects.get(username="admin")
