"""Excel export of a month's dues (党费收缴明细表) for the organizations in scope."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font

from tenants.dues.calc import yuan
from tenants.dues.models import DuesBill
from tenants.dues.selectors import Collection, scoped_bills
from tenants.members.scope import Scope

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
    summary.append([f"{month:%Y年%m月} 党费收缴汇总"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["组织", "应交（元）", "已交（元）", "收缴率", "应交人数", "已交人数"])
    for c in collection:
        rate = f"{c.rate}%" if c.rate is not None else ""
        summary.append([c.org_name, yuan(c.due_fen), yuan(c.paid_fen), rate, c.bills, c.paid_bills])
    summary.column_dimensions["A"].width = 30
    detail = wb.create_sheet("明细")
    detail.append(HEADER)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    bills = (
        scoped_bills(scope)
        .filter(month=month)
        .select_related("member", "org")
        .order_by("org__path", "member__name", "pk")
    )
    for bill in bills.iterator(chunk_size=2000):
        detail.append(
            [
                bill.org.name,
                bill.member.name,
                f"{bill.month:%Y-%m}",
                bill.category_code,
                yuan(bill.base_fen),
                f"{bill.rate_bp / 100:g}%" if bill.rate_bp else "定额",
                yuan(bill.amount_fen),
                DuesBill.Status(bill.status).label,
                bill.paid_at.strftime("%Y-%m-%d %H:%M") if bill.paid_at else "",
            ]
        )
    detail.column_dimensions["A"].width = 30
    detail.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def content_disposition(month: date) -> str:
    chinese = f"党费收缴_{month:%Y年%m月}.xlsx"
    return (
        f'attachment; filename="party-dues-{month:%Y%m}.xlsx"; '
        f"filename*=UTF-8''{quote(chinese, safe='')}"
    )
