"""The downloadable import template (党员信息导入模板).

Three sheets: ``党员信息`` (the header row to fill under, with drop-down lists),
``填写说明`` (each column explained, the allowed names, an example row) and ``代码表``
(the lists behind the drop-downs, including the user's own branches).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shared.standards.models import OrganizationType
from shared.standards.selectors import codes
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.imports.columns import (
    COLUMNS,
    GUIDE_TITLE,
    HEADERS,
    LISTS_TITLE,
    SHEET_TITLE,
    column_letter,
)
from tenants.imports.parse import MAX_ROWS
from tenants.orgs.models import Organization

BOLD = Font(bold=True)
REQUIRED = Font(bold=True, color="B71C1C")
HEADER_FILL = PatternFill("solid", fgColor="F0F2F5")
WRAP = Alignment(wrap_text=True, vertical="top")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_COLUMNS = ("id_number", "phone", "landline")

GENERAL_NOTES = (
    "第 1 行为表头，请勿修改、增删或调换列；从第 2 行起每行一名党员，空行会被跳过。",
    "按公民身份号码匹配：已登记的党员更新为表格中的信息（空白单元格会清空原有内容），"
    "未登记的新增。",
    "上传后先校验全部行并预览将新增、更新的人员；任一行有错误则不导入任何数据，"
    "错误按行号和列名列出。确认后一次性导入。",
    "带红色表头的列必须填写。民族、学历、人员类别、职业、所在党支部请从下拉列表选择或填写名称。",
)


def _lists(scope: Scope) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {"性别": ["男", "女"]}
    for column in COLUMNS:
        if column.table is not None:
            lists[column.header] = list(codes(column.table).values_list("name", flat=True))
    holding = OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True)
    orgs = (
        Organization.objects.visible_to(scope, Perm.MEMBERS_EDIT)
        .filter(type_code__in=list(holding))
        .order_by("path")
    )
    lists["所在党支部"] = [org.name for org in orgs]
    return lists


def _members_sheet(ws: Worksheet, lists: dict[str, list[str]]) -> None:
    ws.title = SHEET_TITLE
    ws.append(list(HEADERS))
    for i, column in enumerate(COLUMNS):
        letter = column_letter(i)
        cell = ws.cell(row=1, column=i + 1)
        cell.font = REQUIRED if column.required else BOLD
        cell.fill = HEADER_FILL
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width
        if column.field in TEXT_COLUMNS:
            dimension.number_format = TEXT_FORMAT
        elif column.kind == "date":
            dimension.number_format = DATE_FORMAT
        choices = lists.get(column.header)
        if choices:
            target = f"{letter}2:{letter}{MAX_ROWS + 1}"
            if column.header == "性别":
                formula = '"男,女"'
            else:
                source = column_letter(list(lists).index(column.header))
                formula = f"'{LISTS_TITLE}'!${source}$2:${source}${len(choices) + 1}"
            validation = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从列表中选择",
                error=f"“{column.header}”请从下拉列表中选择。",
            )
            validation.add(target)
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"


def _guide_sheet(ws: Worksheet, lists: dict[str, list[str]]) -> None:
    ws.append(["党员信息导入填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    for note in GENERAL_NOTES:
        ws.append([note])
    ws.append([])
    ws.append(["列名", "是否必填", "填写要求", "示例"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for column in COLUMNS:
        note = column.note
        choices = lists.get(column.header)
        if column.table is not None and choices:
            note = (note + " " if note else "") + "可填写：" + "、".join(choices) + "。"
        ws.append([column.header, "必填" if column.required else "可空", note, column.example])
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
    ws.append([])
    ws.append(["示例（一行党员数据，填写在“党员信息”表中）："])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    ws.append(list(HEADERS))
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    ws.append([c.example for c in COLUMNS])
    for letter, width in zip("ABCD", (18, 10, 70, 24), strict=True):
        ws.column_dimensions[letter].width = width


def _lists_sheet(ws: Worksheet, lists: dict[str, list[str]]) -> None:
    for i, (title, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=i, value=title).font = BOLD
        for j, value in enumerate(values, start=2):
            cell = ws.cell(row=j, column=i, value=value)
            cell.data_type = "s"  # names are text, even one starting with "="
        ws.column_dimensions[column_letter(i - 1)].width = 30 if title == "所在党支部" else 16


def template_workbook(scope: Scope) -> bytes:
    lists = _lists(scope)
    workbook = Workbook()
    _members_sheet(workbook.active, lists)
    _guide_sheet(workbook.create_sheet(GUIDE_TITLE), lists)
    _lists_sheet(workbook.create_sheet(LISTS_TITLE), lists)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
