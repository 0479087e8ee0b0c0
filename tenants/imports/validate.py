"""Checking an uploaded member workbook row by row and planning what it will do
(导入校验与预览): every error by Excel row and column, in Chinese; creates and updates
matched by ID number (公民身份号码, through its blind index).

Each row goes through ``tenants.members.validation.validate_member`` (checksum, birth date
and sex against the number, dates in order, code tables, organization); this module adds
what only a file has: cell shapes, names instead of codes, duplicates within the file,
the organization by its name, and the user's scope for both the target organization and
an existing member being updated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.utils import timezone

from shared.standards.models import CodeTable
from shared.standards.selectors import codes
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.imports.columns import COLUMN_ORDER, COLUMNS, HEADER_OF
from tenants.imports.parse import (
    MAX_ROWS,
    MSG_EMPTY,
    MSG_TOO_MANY,
    CellError,
    WorkbookError,
    column_values,
    id_number_text,
    is_blank,
    open_member_rows,
    text,
    to_date,
    to_sex,
)
from tenants.members.forms import MemberForm
from tenants.members.models import Member
from tenants.members.validation import MemberData, validate_member
from tenants.orgs.models import Organization
from zhdj.pii.fields import index_for

RowError = tuple[int, str, str]  # Excel row (0: the file as a whole), column header, message
Progress = Callable[[int, int | None], None]  # rows done, rows expected (if known)

PROGRESS_EVERY = 1000
LOOKUP_CHUNK = 5000
ID_HEADER = HEADER_OF["id_number"]
# Text columns whose length only the form limits (validate_member checks the others).
LIMITED = ("job_title", "landline", "address")


@dataclass
class PlannedRow:
    """A valid row: what to write, and the member it updates (``None``: a new member)."""

    row: int
    data: MemberData
    id_index: str
    member_id: int | None = None


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows read (blank rows not counted)

    @property
    def creates(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.member_id is None]

    @property
    def updates(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.member_id is not None]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class Lookups:
    """Everything a row is checked against, read once per file."""

    def __init__(self, scope: Scope, today: date) -> None:
        self.scope = scope
        self.today = today
        self.codes: dict[CodeTable, dict[str, str]] = {}
        for column in COLUMNS:
            if column.table is not None:
                self.codes[column.table] = _names_to_codes(column.table)
        self.orgs: dict[str, list[Organization]] = defaultdict(list)
        for org in Organization.objects.all():
            self.orgs[org.name.strip()].append(org)
        self._org_problems: dict[int, list[str]] = {}
        self.max_length = {f: MemberForm.base_fields[f].max_length for f in LIMITED}

    def org_problems(self, org: Organization) -> list[str]:
        """validate_member's organization rule (active, holds members), asked once per
        organization rather than once per row (it costs a query)."""
        if org.pk not in self._org_problems:
            probe = MemberData(org, "", "", "", "", None)
            self._org_problems[org.pk] = validate_member(probe, today=self.today).get("org", [])
        return self._org_problems[org.pk]

    def org(self, value: Any) -> Organization:
        name = text(value)
        if not name:
            raise CellError("请填写所在党支部（党支部全称）。")
        found = self.orgs.get(name, [])
        if not found:
            raise CellError(f"找不到名为“{name}”的党组织，请填写党支部全称。")
        fit = [org for org in found if not self.org_problems(org)]
        if not fit:
            raise CellError(self.org_problems(found[0])[0])
        if len(fit) > 1:
            raise CellError(f"有 {len(fit)} 个名为“{name}”的党支部，无法确定，请联系管理员。")
        if not self.scope.can(Perm.MEMBERS_EDIT, fit[0]):
            raise CellError(f"“{name}”不在您的管理范围内。")
        return fit[0]


def _names_to_codes(table: CodeTable) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, name, extra in codes(table).values_list("code", "name", "extra"):
        mapping[name] = code
        for alias in (extra or {}).get("aliases", []):  # former names (毛难族 → 毛南族)
            mapping.setdefault(alias, code)
    return mapping


def _convert(column_field: str, value: Any, lookups: Lookups) -> Any:
    column = _BY_FIELD[column_field]
    if column.kind == "org":
        return lookups.org(value)
    if column.kind == "date":
        return to_date(value, column.header)
    if column.kind == "sex":
        return to_sex(value)
    if column.kind == "code":
        name = text(value)
        # An unknown name goes through as it is: validate_member reports it ("不在代码表中").
        return lookups.codes[column.table].get(name, name) if name else ""  # type: ignore[index]
    if column.field == "id_number":
        return id_number_text(value)
    result = text(value)
    limit = lookups.max_length.get(column.field)
    if limit and len(result) > limit:
        raise CellError(f"{column.header}不能超过 {limit} 个字。")
    return result


_BY_FIELD = {c.field: c for c in COLUMNS}
_EMPTY = {"org": None, "joined_at": None, "full_member_at": None}


def check_row(
    row: int, values: tuple[Any, ...], lookups: Lookups
) -> tuple[MemberData, list[RowError]]:
    """One data row: its MemberData (normalized by validate_member) and its errors."""
    errors: list[RowError] = []
    misshapen: set[str] = set()
    kwargs: dict[str, Any] = {}
    for column, value in zip(COLUMNS, column_values(values), strict=True):
        try:
            kwargs[column.field] = _convert(column.field, value, lookups)
        except CellError as exc:
            errors.append((row, column.header, exc.message))
            misshapen.add(column.field)
            kwargs[column.field] = _EMPTY.get(column.field, "")
    # The organization was checked above (Lookups.org, with validate_member's own rule, once
    # per organization); here it is left out, which spares a query per row.
    org = kwargs.pop("org")
    data = MemberData(org=None, **kwargs)
    misshapen.add("org")
    for name, messages in validate_member(data, today=lookups.today).items():
        if name in misshapen:  # already reported as a bad cell; "请填写…" would only repeat it
            continue
        errors.extend((row, HEADER_OF.get(name, ""), message) for message in messages)
    data.org = org
    return data, errors


def plan_import(
    fileobj: IO[bytes], *, scope: Scope, progress: Progress | None = None, today: date | None = None
) -> Plan:
    """Read and check the whole workbook. Never writes; a WorkbookError becomes one error."""
    plan = Plan()
    try:
        _read(fileobj, plan, Lookups(scope, today or timezone.localdate()), progress)
    except WorkbookError as exc:
        return Plan(errors=[(0, "", exc.message)], total=plan.total)
    if not plan.total:
        plan.errors.append((0, "", MSG_EMPTY))
    _match_existing(plan, scope)
    plan.errors.sort(key=lambda e: (e[0], COLUMN_ORDER.get(e[1], -1)))
    return plan


def _read(fileobj: IO[bytes], plan: Plan, lookups: Lookups, progress: Progress | None) -> None:
    first_row_of: dict[str, int] = {}
    with open_member_rows(fileobj) as sheet:
        for row, raw in sheet.rows:
            values = column_values(raw)
            if is_blank(values):
                continue
            plan.total += 1
            if plan.total > MAX_ROWS:
                raise WorkbookError(MSG_TOO_MANY)
            data, errors = check_row(row, values, lookups)
            id_ok = not any(e[1] == ID_HEADER for e in errors)
            id_index = index_for("id_number", data.id_number) if id_ok else None
            if id_index is not None:
                first = first_row_of.setdefault(id_index, row)
                if first != row:
                    errors.append((row, ID_HEADER, f"与第 {first} 行的公民身份号码重复。"))
            if errors:
                plan.errors.extend(errors)
            elif id_index is not None:
                plan.rows.append(PlannedRow(row=row, data=data, id_index=id_index))
            if progress is not None and plan.total % PROGRESS_EVERY == 0:
                progress(plan.total, sheet.estimated)
    if progress is not None:
        progress(plan.total, plan.total)


def existing_by_index(indexes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{id_number_index: (member_id, org_id)}`` for the registered ones among ``indexes``."""
    wanted = list(indexes)
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for index, pk, org_id in Member.objects.filter(id_number_index__in=chunk).values_list(
            "id_number_index", "pk", "org_id"
        ):
            found[index] = (pk, org_id)
    return found


def _match_existing(plan: Plan, scope: Scope) -> None:
    existing = existing_by_index(r.id_index for r in plan.rows)
    orgs = Organization.objects.in_bulk({org_id for _, org_id in existing.values()})
    covered = {pk: scope.can(Perm.MEMBERS_EDIT, org) for pk, org in orgs.items()}
    kept: list[PlannedRow] = []
    for planned in plan.rows:
        match = existing.get(planned.id_index)
        if match is not None and not covered[match[1]]:
            plan.errors.append(
                (planned.row, ID_HEADER, "该公民身份号码已在您管理范围以外的党组织登记，不能导入。")
            )
            continue
        planned.member_id = match[0] if match else None
        kept.append(planned)
    plan.rows = kept
