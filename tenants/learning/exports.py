"""Excel export of a year's learning per member (学习情况明细) for the organizations in the
manager's scope: name, organization, hours, target, reached, lessons completed, tests
passed. Names and organizations come from people: written through the spreadsheet
helpers so that a name that looks like a formula stays text."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from tenants.learning.stats import Report
from zhdj.spreadsheets import append

HEADER = [
    "姓名",
    "所在组织",
    "学时",
    "年度目标（学时）",
    "是否达标",
    "完成课节",
    "必修课程完成",
    "必修课程",
    "考试合格（场）",
]


def year_workbook(report: Report) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "按组织汇总"
    append(summary, [f"{report.year}年 学习教育情况"])
    summary["A1"].font = Font(bold=True, size=14)
    append(
        summary, ["组织", "党员人数", "人均学时", "达标人数", "达标率", "必修完成率", "考试合格率"]
    )
    for o in [*report.orgs, report.total]:
        append(
            summary,
            [
                o.name,
                o.count,
                o.hours_per_member,
                o.reached,
                o.reached_percent / 100,
                None if o.completion_percent is None else o.completion_percent / 100,
                None if o.pass_percent is None else o.pass_percent / 100,
            ],
        )
    for row in summary.iter_rows(min_row=3, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "0%"
    summary.column_dimensions["A"].width = 30
    detail = wb.create_sheet("党员明细")
    append(detail, HEADER)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for m in report.members:
        append(
            detail,
            [
                m.name,
                m.org_name,
                m.hours,
                m.target,
                "是" if m.reached else "否",
                m.lessons_done,
                m.required_done,
                m.required,
                m.tests_passed,
            ],
        )
    detail.column_dimensions["B"].width = 30
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
