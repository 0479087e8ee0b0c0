"""Excel export of a month's dues (党费收缴明细表) for the organizations in scope.

Amounts and rates are written as numbers with number formats (not as text) so that
the county can sum and sort them in Excel; categories are written by name, not code.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from shared.standards.models import DuesCategory
from tenants.access.scope import Scope
from tenants.dues.models import DuesBill
from tenants.dues.selectors import Collection, scoped_bills
from zhdj.formats import yuan_value
from zhdj.spreadsheets import append

YUAN_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0%"

HEADER = [
    "所在支部",
    "姓名",
    "月份",
    "缴纳类别",
    "基数（元）",
    "比例",
    "应交（元）",
    "状态",
    "交纳时间",
]


def dues_workbook(scope: Scope, month: date, collection: list[Collection]) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "收缴汇总"
    append(summary, [f"{month:%Y年%m月} 党费收缴汇总"])
    summary["A1"].font = Font(bold=True, size=14)
    append(summary, ["组织", "应交（元）", "已交（元）", "收缴率", "应交人数", "已交人数"])
    for c in collection:
        rate = c.paid_fen / c.due_fen if c.due_fen else None
        append(
            summary,
            [
                c.org_name,
                yuan_value(c.due_fen),
                yuan_value(c.paid_fen),
                rate,
                c.bills,
                c.paid_bills,
            ],
        )
    _number_formats(summary, {"B": YUAN_FORMAT, "C": YUAN_FORMAT, "D": RATE_FORMAT}, first_row=3)
    summary.column_dimensions["A"].width = 30
    detail = wb.create_sheet("明细")
    append(detail, HEADER)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    bills = (
        scoped_bills(scope)
        .filter(month=month)
        .select_related("member", "org")
        .order_by("org__path", "member__name", "pk")
    )
    categories = dict(DuesCategory.objects.values_list("code", "name"))
    for bill in bills.iterator(chunk_size=2000):
        append(
            detail,
            [
                bill.org.name,
                bill.member.name,
                f"{bill.month:%Y-%m}",
                categories.get(bill.category_code, "其他"),
                yuan_value(bill.base_fen),
                bill.rate_bp / 10000 if bill.rate_bp else "定额",
                yuan_value(bill.amount_fen),
                DuesBill.Status(bill.status).label,
                bill.paid_at.strftime("%Y-%m-%d %H:%M") if bill.paid_at else "",
            ],
        )
    _number_formats(detail, {"E": YUAN_FORMAT, "F": RATE_FORMAT, "G": YUAN_FORMAT}, first_row=2)
    detail.column_dimensions["A"].width = 30
    detail.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _number_formats(sheet: Worksheet, formats: dict[str, str], *, first_row: int) -> None:
    """Give the number cells of the named columns their display format."""
    for column, number_format in formats.items():
        for cell in sheet[column][first_row - 1 :]:
            if isinstance(cell.value, (int, float)):
                cell.number_format = number_format


def content_disposition(month: date) -> str:
    chinese = f"党费收缴_{month:%Y年%m月}.xlsx"
    return (
        f'attachment; filename="party-dues-{month:%Y%m}.xlsx"; '
        f"filename*=UTF-8''{quote(chinese, safe='')}"
    )
