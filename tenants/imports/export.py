"""Excel export of a member list (党员信息导出): the list page's filters, the import's
columns (so a full export can be edited and imported again), personal values masked
unless the user may see them in full.

Full values: a county administrator gets every row; anyone else gets full values only for
members of the subtrees where they hold a post that may reveal (``Scope.may_reveal``);
other rows stay masked. Every export is written to ``ExportLog``.

Text that starts with ``=`` is written as text, never as a formula: contact fields are
typed by members themselves, and a formula would run in the exporting user's Excel.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.contrib.auth.hashers import check_password
from django.db.models import QuerySet
from django.http import QueryDict
from openpyxl import Workbook

from shared.accounts.models import User
from shared.standards.models import CodeTable
from shared.standards.selectors import code_name
from tenants.access.scope import Scope
from tenants.imports.columns import EXPORT_ONLY, HEADERS, SHEET_TITLE
from tenants.imports.models import ExportLog
from tenants.members.forms import MemberSearchForm
from tenants.members.models import Member
from tenants.members.selectors import MemberFilter, member_list
from zhdj.errors import ApplicationError
from zhdj.pii.masking import mask_address, mask_id_number, mask_phone
from zhdj.spreadsheets import text

CHUNK = 2000
SEXES = {"male": "男", "female": "女"}


def member_filter(scope: Scope, query: QueryDict) -> MemberFilter:
    """The member list page's filter for the same query string. A refused filter refuses
    the export: falling back to no filter would export the whole scope."""
    form = MemberSearchForm(query or None, scope=scope)
    if not form.is_bound:
        return MemberFilter()
    if not form.is_valid():
        raise ApplicationError("筛选条件有误。", field="query", extra={"errors": form.errors})
    return form.to_filter()


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def _row(member: Member, *, full: bool) -> list[str]:
    id_number = member.id_number if full else mask_id_number(member.id_number)
    phone = (member.phone or "") if full else mask_phone(member.phone)
    address = (member.address or "") if full else mask_address(member.address)
    return [
        member.name,
        id_number,
        SEXES.get(member.sex, ""),
        code_name(CodeTable.ETHNICITY, member.ethnicity_code),
        code_name(CodeTable.EDUCATION, member.education_code),
        code_name(CodeTable.MEMBER_CATEGORY, member.category_code),
        member.org.name,
        _day(member.joined_at),
        _day(member.full_member_at),
        member.job_title,
        code_name(CodeTable.OCCUPATION, member.occupation_code),
        phone,
        member.landline,
        address,
        # export-only columns (EXPORT_ONLY)
        _day(member.birth_date),
        code_name(CodeTable.PARTY_STATUS, member.party_status_code),
        "是" if member.lost_contact else "否",
        "是" if member.flowing else "否",
    ]


@dataclass
class Export:
    file: IO[bytes]  # the workbook, positioned at its start
    rows: int
    revealed: int


def _write(members: QuerySet[Member], scope: Scope, *, full: bool) -> Export:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append([*HEADERS, *EXPORT_ONLY])
    rows = revealed = 0
    for member in members.iterator(chunk_size=CHUNK):
        clear = full and scope.may_reveal(member)  # no query: the org is select_related
        sheet.append([text(sheet, v) for v in _row(member, full=clear)])
        rows += 1
        revealed += clear
    # write_only keeps memory flat; the file goes to disk, then streams to the client.
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(target)
    target.seek(0)
    return Export(file=target, rows=rows, revealed=revealed)


def members_export(
    *,
    scope: Scope,
    user: User,
    query: QueryDict,
    full: bool,
    password: str = "",
    ip: str | None = None,
) -> Export:
    """The filtered list as a workbook, and one ExportLog row. Full values only for a user
    whose posts may reveal them, after re-entering the password (as for one value)."""
    if full and not scope.reveals_any:
        raise ApplicationError("您的职务无权导出完整个人信息。", field="full")
    if full and (not password or not check_password(password, user.password)):
        raise ApplicationError("密码不正确。", field="password")
    members = member_list(scope, member_filter(scope, query))
    result = _write(members, scope, full=full)
    logged = query.copy()
    logged.pop("full", None)
    logged.pop("page", None)
    ExportLog.objects.create(
        user=user,
        query=logged.urlencode(),
        row_count=result.rows,
        full=full,
        revealed_count=result.revealed,
        ip=ip,
    )
    return result


def errors_workbook(errors: list[list[Any]]) -> bytes:
    """An import's errors as a workbook: 行号, 列名, 错误说明 (no personal values in them)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误清单")
    sheet.append(["行号", "列名", "错误说明"])
    for row, column, message in errors:
        sheet.append([text(sheet, v) for v in (row or "整个文件", column, message)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
