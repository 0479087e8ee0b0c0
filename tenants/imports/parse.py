"""Reading an uploaded member workbook (openpyxl, read-only mode) and the shapes of its cells.

Only shapes live here (is it a date, a 男/女, text of a sensible length); the rules of a
member record are ``tenants.members.validation.validate_member``'s.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from openpyxl import load_workbook

from tenants.imports.columns import COLUMNS, EXPORT_ONLY, HEADERS, SHEET_TITLE, normalize_header
from zhdj.errors import ApplicationError

MAX_ROWS = 100_000
# A workbook that inflates past this is not a member list (zip bomb guard; 50,000 rows
# inflate to about 40 MB).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024

_DATE_RE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_SEXES = {"男": "male", "女": "female"}

MSG_NOT_XLSX = "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件（可先下载导入模板）。"
MSG_DAMAGED = "文件内容已损坏，无法读取，请用 Excel 重新保存后上传。"
MSG_EMPTY = "表格中没有党员数据。"
MSG_TOO_MANY = f"一次最多导入 {MAX_ROWS:,} 行，请拆分后分批导入。"


class WorkbookError(ApplicationError):
    """The workbook as a whole cannot be imported (not an .xlsx, wrong headers, too big)."""


class CellError(ValueError):
    """One cell has the wrong shape; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class DataRows:
    """The data rows of the member sheet: ``(excel_row_number, values)``, header excluded."""

    rows: Iterator[tuple[int, tuple[Any, ...]]]
    estimated: int | None  # from the sheet's dimension; may count trailing blank rows


def _check_archive(fileobj: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError(MSG_NOT_XLSX) from None
    finally:
        fileobj.seek(0)
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError("文件内容过大，请拆分后分批导入。")


def header_problem(header: tuple[Any, ...] | None) -> str | None:
    """A Chinese explanation of what is wrong with the header row, or None if it is right."""
    expected = "、".join(HEADERS)
    found = [normalize_header(v) for v in (header or ())]
    while found and not found[-1]:
        found.pop()
    if not found:
        return f"第 1 行应为表头，依次为：{expected}。请使用导入模板。"
    for i, name in enumerate(HEADERS):
        actual = found[i] if i < len(found) else ""
        if actual != name:
            where = f"第 {i + 1} 列应为“{name}”，" + (f"实为“{actual}”" if actual else "缺少该列")
            return f"表头不正确：{where}。第 1 行应依次为：{expected}。请使用导入模板。"
    extra = [h for h in found[len(HEADERS) :] if h and h not in EXPORT_ONLY]
    if extra:
        names = "、".join(f"“{h}”" for h in extra)
        return f"表头不正确：多出 {names} 列。第 1 行应依次为：{expected}。请使用导入模板。"
    return None


@contextmanager
def open_member_rows(fileobj: IO[bytes]) -> Iterator[DataRows]:
    """The data rows of the member sheet (``党员信息``, else the first sheet).

    Raises ``WorkbookError`` for a file that is not a workbook or whose header row is wrong.
    """
    _check_archive(fileobj)
    try:
        with warnings.catch_warnings():
            # Workbooks saved by Excel or WPS carry extensions openpyxl does not read
            # (and says so); they do not matter for the values.
            warnings.simplefilter("ignore")
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise WorkbookError(MSG_NOT_XLSX) from None
    try:
        try:
            names = workbook.sheetnames
            sheet = workbook[SHEET_TITLE] if SHEET_TITLE in names else workbook.worksheets[0]
            values = sheet.iter_rows(values_only=True)
            header = next(values, None)
            max_row = sheet.max_row
        except Exception:  # damaged sheet XML shows up only when it is read
            raise WorkbookError(MSG_DAMAGED) from None
        problem = header_problem(header)
        if problem:
            raise WorkbookError(problem)
        estimated = max_row - 1 if isinstance(max_row, int) and max_row > 1 else None
        yield DataRows(rows=enumerate(_guarded(values), start=2), estimated=estimated)
    finally:
        workbook.close()


def _guarded(values: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    try:
        yield from values
    except Exception:  # openpyxl and the XML parser raise many kinds
        raise WorkbookError(MSG_DAMAGED) from None


def is_blank(values: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.strftime("%Y-%m-%d")
    return str(value).strip()


def id_number_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            "公民身份号码被 Excel 存成了数字，末尾几位可能已丢失，"
            "请将该列设为“文本”格式后重新填写。"
        )
    return text(value)


def to_date(value: Any, header: str) -> date | None:
    """Excel dates, or text ``YYYY-MM-DD`` / ``YYYY.MM.DD`` / ``YYYY/MM/DD`` / ``YYYY年M月D日``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(str(value).strip()) if isinstance(value, str) else None
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(f"{header}不是有效日期，请填写如 2015-07-01 的日期。")


def to_sex(value: Any) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        return _SEXES[raw]
    except KeyError:
        raise CellError("性别只能填写“男”或“女”，或留空（按公民身份号码填写）。") from None


def column_values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Exactly one value per import column (short rows padded, export-only columns dropped)."""
    width = len(COLUMNS)
    if len(values) >= width:
        return values[:width]
    return values + (None,) * (width - len(values))
