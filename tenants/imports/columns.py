"""The columns of the member workbook (党员信息表), shared by the template, the import and
the export: fixed order, Chinese headers, one ``MemberData`` field each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.standards.models import CodeTable

Kind = Literal["text", "sex", "code", "org", "date"]

SHEET_TITLE = "党员信息"
GUIDE_TITLE = "填写说明"
LISTS_TITLE = "代码表"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # a MemberData field
    kind: Kind
    required: bool = False
    table: CodeTable | None = None
    width: int = 14
    note: str = ""
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", "text", True, width=10, note="不超过 32 个字。", example="张三"),
    Column(
        "公民身份号码",
        "id_number",
        "text",
        True,
        width=22,
        note="18 位，末位校验码须正确（X 大小写均可）。请将该列设为“文本”格式，"
        "否则 Excel 会把号码改成科学计数法并丢失末尾几位。已登记的号码将更新该党员的信息。",
        example="610802199205170179",
    ),
    Column(
        "性别",
        "sex",
        "sex",
        width=6,
        note="可空：留空则按公民身份号码填写；填写则须为“男”或“女”，并与号码一致。",
        example="",
    ),
    Column("民族", "ethnicity_code", "code", True, CodeTable.ETHNICITY, 10, example="汉族"),
    Column(
        "学历", "education_code", "code", False, CodeTable.EDUCATION, 16, example="大学本科毕业"
    ),
    Column(
        "人员类别", "category_code", "code", True, CodeTable.MEMBER_CATEGORY, 10, example="正式党员"
    ),
    Column(
        "所在党支部",
        "org",
        "org",
        True,
        width=28,
        note="填写党支部全称，须为您管理范围内可编入党员的党组织（见“代码表”）。",
        example="某镇某村党支部",
    ),
    Column(
        "加入党组织日期",
        "joined_at",
        "date",
        True,
        width=14,
        note="日期格式：2015-07-01、2015.07.01 或 2015/07/01；入党时须年满 18 岁。",
        example="2015-07-01",
    ),
    Column(
        "转为正式党员日期",
        "full_member_at",
        "date",
        width=16,
        note="正式党员必填，须晚于加入党组织日期；预备党员不填。",
        example="2016-07-01",
    ),
    Column("工作岗位", "job_title", "text", width=16, example="村委会会计"),
    Column("职业", "occupation_code", "code", False, CodeTable.OCCUPATION, 20, example="农牧渔民"),
    Column("手机号", "phone", "text", width=14, note="11 位手机号码。", example="13912345678"),
    Column("固定电话", "landline", "text", width=14, example="0912-3456789"),
    Column("家庭住址", "address", "text", width=30, example="榆林市榆阳区新建路 8 号"),
)

HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
HEADER_OF: dict[str, str] = {c.field: c.header for c in COLUMNS}
# validate_member reports the birth date (derived from the ID number, no column of its own)
# under birth_date; in the workbook that is the ID number's column.
HEADER_OF["birth_date"] = "公民身份号码"
COLUMN_ORDER: dict[str, int] = {h: i for i, h in enumerate(HEADERS)}

# Columns the export adds after the import columns; the import ignores them, so an
# exported workbook (with full values) can be edited and imported again.
EXPORT_ONLY: tuple[str, ...] = ("出生日期", "党籍状态", "是否失联", "是否流动党员")

_DECORATION = re.compile(r"[\s*＊]|[（(][^）)]*[）)]")


def normalize_header(value: object) -> str:
    """``" 性别（可空）"`` → ``"性别"``: spaces, required marks and notes in brackets go."""
    if value is None:
        return ""
    return _DECORATION.sub("", str(value))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
