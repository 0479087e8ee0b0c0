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
# inflate to about 40 MB). Measured while decompressing, never taken from the sizes the
# archive declares (they can lie).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
# openpyxl keeps every shared string in memory: their count and size are capped too.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 500
CHUNK = 1024 * 1024
# Members of an .xlsx: XML parts, relationships, pictures; never another archive.
NESTED_ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xls", ".docx", ".jar", ".gz", ".7z", ".rar")

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


MSG_TOO_BIG = "文件内容过大，请拆分后分批导入。"
MSG_ODD_ARCHIVE = (
    "文件结构异常（含加密、嵌套压缩包或异常路径），请用 Excel 重新保存为 .xlsx 后上传。"
)


def _check_archive(fileobj: IO[bytes]) -> None:
    """Refuse a zip bomb or an odd archive before openpyxl opens it.

    Every member is decompressed as a stream against one byte budget (what it *actually*
    inflates to, not what its header declares), the shared strings are counted as they
    stream by, and encrypted, nested or path-escaping members are refused. Runs in the
    worker (``import_job_validate``): the web request only stores the file.
    """
    try:
        try:
            with zipfile.ZipFile(fileobj) as archive:
                members = archive.infolist()
                if not members or len(members) > MAX_ARCHIVE_MEMBERS:
                    raise WorkbookError(MSG_ODD_ARCHIVE if members else MSG_NOT_XLSX)
                names = set()
                for info in members:
                    _check_member_name(info, names)
                if "[Content_Types].xml" not in names:
                    raise WorkbookError(MSG_NOT_XLSX)
                budget = MAX_UNCOMPRESSED_BYTES
                for info in members:
                    budget -= _inflate(archive, info, budget)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise WorkbookError(MSG_NOT_XLSX) from None
        except (NotImplementedError, RuntimeError):  # unknown compression, encryption
            raise WorkbookError(MSG_ODD_ARCHIVE) from None
    finally:
        fileobj.seek(0)


def _check_member_name(info: zipfile.ZipInfo, names: set[str]) -> None:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if (
        info.flag_bits & 0x1  # encrypted
        or name.startswith(("/", "\\"))
        or ".." in parts
        or ":" in name
        or name.lower().endswith(NESTED_ARCHIVE_SUFFIXES)
        or name in names  # the same part twice: which one would be read?
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ):
        raise WorkbookError(MSG_ODD_ARCHIVE)
    names.add(name)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Decompress ``info`` as a stream (nothing kept); the bytes it really inflates to."""
    shared = info.filename.lower().endswith("sharedstrings.xml")
    limit = min(budget, MAX_SHARED_STRINGS_BYTES) if shared else budget
    total = strings = 0
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise WorkbookError(MSG_TOO_BIG)
            if shared:
                window = tail + chunk
                strings += window.count(b"<si>") + window.count(b"<si ")
                strings -= tail.count(b"<si>") + tail.count(b"<si ")
                tail = chunk[-4:]
                if strings > MAX_SHARED_STRINGS:
                    raise WorkbookError(MSG_TOO_BIG)
    return total


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
