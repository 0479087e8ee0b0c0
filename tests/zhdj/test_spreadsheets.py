"""Text typed by people is exported as text, never as a formula that would run in the
Excel of whoever opens the export (issue 17: dues, rollups and statistics exports wrote
"=…" names as formulas)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from tenants.access.scope import Scope
from tenants.dues.export import dues_workbook
from tenants.dues.selectors import Collection
from zhdj.spreadsheets import append, text

EVIL = '=HYPERLINK("http://example.invalid","点击")'


def _reloaded(wb: Workbook) -> Workbook:
    body = io.BytesIO()
    wb.save(body)
    body.seek(0)
    return load_workbook(body)


def test_append_keeps_strings_as_strings_and_numbers_as_numbers():
    wb = Workbook()
    append(wb.active, [EVIL, "+86", 3, None])
    cells = _reloaded(wb).active[1]
    assert cells[0].value == EVIL and cells[0].data_type == "s"
    assert cells[1].value == "+86" and cells[2].value == 3


def test_write_only_rows_keep_strings_as_strings():
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append([text(sheet, EVIL), text(sheet, 5)])
    cells = _reloaded(wb).active[1]
    assert cells[0].value == EVIL and cells[0].data_type == "s" and cells[1].value == 5


@pytest.mark.django_db
def test_the_dues_export_writes_an_organization_named_like_a_formula_as_text(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        body = dues_workbook(
            Scope.system(), date(2026, 11, 1), [Collection(1, EVIL, 1000, 500, 2, 1)]
        )
    cell = load_workbook(io.BytesIO(body))["收缴汇总"]["A3"]
    assert cell.value == EVIL and cell.data_type == "s"
