"""The city report (全市党建统计报表) as Excel (openpyxl) and PDF (WeasyPrint).

Both are rendered from the same payload as the dashboard, so the report and the page
never disagree. Aggregates only: no person appears in either file.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shared.rollups.views import STATISTICS, city_data, county_data
from zhdj.formats import beijing
from zhdj.spreadsheets import append
from zhdj.web.access import CITY, public_page, scoped_page
from zhdj.web.exports import exported

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="B71C1C")


def _sheet(
    wb: Workbook,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    *,
    money_column: int | None = None,
) -> None:
    ws = wb.create_sheet(title[:31])
    append(ws, header)
    for cell in ws[1]:
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        append(ws, row)
    if money_column is not None:  # 元 with two decimals, still a number for the reader's sums
        for (cell,) in ws.iter_rows(min_row=2, min_col=money_column, max_col=money_column):
            cell.number_format = "#,##0.00"
    for i, _ in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 16 if i > 1 else 28
    ws.freeze_panes = "A2"


def workbook(payload: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    stamp = beijing(timezone.now())
    _sheet(
        wb,
        "概况",
        ["指标", "数值", "单位"],
        [[k["label"], k["value"], k["unit"]] for k in payload["kpis"]]
        + [[s["label"], s["value"], s["unit"]] for s in payload["scalars"]]
        + [["导出时间", stamp, ""], ["数据汇总时间", payload.get("rolled_at_text") or "", ""]],
    )
    unit_label = "区县" if payload["scope"] == "city" else "下级组织"
    _sheet(
        wb,
        f"各{unit_label}",
        [unit_label] + [c["label"] for c in payload["columns"]],
        [[r["name"]] + [r[c["key"]] for c in payload["columns"]] for r in payload["rows"]],
    )
    for d in payload["dimensions"]:
        # 占比 only where the dimensions split one whole (not months of dues).
        share = d.get("composition", True)
        amount = "金额" if d["unit"] == "元" else "数量"
        _sheet(
            wb,
            d["label"],
            [d["dimension_label"] or "项目", f"{amount}（{d['unit']}）"]
            + (["占比%"] if share else []),
            [[r["name"], r["value"]] + ([r.get("share")] if share else []) for r in d["rows"]],
            money_column=2 if d["unit"] == "元" else None,
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(payload: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "rollups/report_pdf.html",
        {"payload": payload, "now": timezone.localtime()},
    )
    return HTML(string=html).write_pdf()


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _name(payload: dict[str, Any], ext: str) -> str:
    return f"{payload['title']}党建统计报表_{timezone.localdate():%Y%m%d}.{ext}"


@never_cache
@exported("全市党建统计报表")
@public_page(CITY)
def city_xlsx(request: HttpRequest) -> HttpResponse:
    payload = city_data()
    return _download(workbook(payload), XLSX, _name(payload, "xlsx"))


@never_cache
@exported("全市党建统计报表")
@public_page(CITY)
def city_pdf(request: HttpRequest) -> HttpResponse:
    payload = city_data()
    return _download(pdf(payload), "application/pdf", _name(payload, "pdf"))


@never_cache
@exported("区县党建统计报表")
@scoped_page(permission=STATISTICS)
def county_xlsx(request: HttpRequest, scope: Any) -> HttpResponse:
    payload = county_data(scope)
    if payload is None:
        from django.http import Http404

        raise Http404("尚未汇总")
    return _download(workbook(payload), XLSX, _name(payload, "xlsx"))
