"""The dues workbook: category names, and amounts and rates as numbers Excel can sum."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.dues.billing import bills_generate
from tenants.dues.services import dues_base_set
from tenants.members.models import Member
from tests.conftest import logged_in


def test_detail_sheet_has_names_and_numbers(db, alpha):  # type: ignore[no-untyped-def]
    month = timezone.localdate().replace(day=1)
    with schema_context(alpha.schema):
        admin = scope_for(User.objects.get(username="admin"))
        for member in Member.objects.all():
            dues_base_set(
                scope=admin,
                member=member,
                category_code="retired",
                base_fen=500001,
                from_month=month,
                actor=None,
            )
        bills_generate(scope=Scope.system(), month=month)
    response = logged_in(alpha.host, "admin").get(f"/dues/export/?month={month:%Y-%m}")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    rows = list(wb["明细"].iter_rows(min_row=2))
    assert rows
    for _org, _name, _month, category, base, rate, amount, *_ in rows:
        assert category.value == "离退休"
        assert base.value == 5000.01 and base.number_format == "#,##0.00"
        assert isinstance(rate.value, float) and 0 < rate.value < 0.03
        assert rate.number_format == "0.0%"
        assert isinstance(amount.value, (int, float)) and amount.number_format == "#,##0.00"
    summary = list(wb["收缴汇总"].iter_rows(min_row=3))
    assert summary
    due, paid, collected = summary[0][1], summary[0][2], summary[0][3]
    assert isinstance(due.value, (int, float)) and due.number_format == "#,##0.00"
    assert paid.value == 0 and paid.number_format == "#,##0.00"
    assert collected.value == 0 and collected.number_format == "0.0%"
