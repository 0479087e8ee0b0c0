"""Excel export of the party statistics (党内统计表): one sheet, a title row with the
organization and the date, then the headline figures and one section per table."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from tenants.stats.selectors import Statistics
from zhdj.spreadsheets import append

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F0F2F5")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PERCENT = "0.0%"
COLUMNS = 3


def _header(ws: Worksheet, labels: list[str]) -> None:
    append(ws, labels)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX


def _line(ws: Worksheet, name: str, count: int, share: float | None, *, bold: bool = False) -> None:
    append(ws, [name, count, None if share is None else share / 100])
    row = ws[ws.max_row]
    row[2].number_format = PERCENT
    for cell in row:
        cell.border = BOX
        if bold:
            cell.font = BOLD


def _section(ws: Worksheet, title: str) -> None:
    append(ws, [])
    append(ws, [title])
    ws.cell(row=ws.max_row, column=1).font = BOLD


def statistics_workbook(stats: Statistics) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党内统计"
    append(ws, [f"{stats.org_name} 党内统计"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLUMNS)
    ws["A1"].font, ws["A1"].alignment = TITLE, Alignment(horizontal="center")
    append(ws, [f"统计日期：{stats.on:%Y年%m月%d日}（按党员组织关系所在统计）"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=COLUMNS)

    _section(ws, "基本情况")
    _header(ws, ["指标", "人数", "占党员总数比例"])
    for figure in stats.figures():
        _line(ws, figure.label, figure.count, figure.share)

    for table in stats.tables:
        _section(ws, table.title)
        shares = any(r.share is not None for r in table.rows)
        _header(ws, ["项目", "人数" if table.unit == "人" else "个数", "比例" if shares else ""])
        for row in table.rows:
            _line(ws, row.name, row.count, row.share)
        _line(ws, "合计", table.total, None, bold=True)

    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 16
    ws.freeze_panes = "A3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def content_disposition(stats: Statistics) -> str:
    """An attachment header: an ASCII name, and the Chinese one by RFC 5987/6266."""
    day = f"{stats.on:%Y%m%d}"
    chinese = f"党内统计_{stats.org_name}_{day}.xlsx"
    return (
        f'attachment; filename="party-statistics-{day}.xlsx"; '
        f"filename*=UTF-8''{quote(chinese, safe='')}"
    )
