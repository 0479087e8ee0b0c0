"""The preview of an import (导入预览): the first rows to be created and updated, masked.

The preview is stored in the job row, so it holds masked values only (ID number masked,
no phone or address); for updates it names the fields the row changes.
"""

from __future__ import annotations

from typing import Any

from shared.standards.models import CodeTable
from shared.standards.selectors import code_name
from tenants.imports.validate import Plan, PlannedRow
from tenants.members.models import Member
from tenants.members.validation import FIELD_LABELS, MemberData
from zhdj.pii.masking import mask_id_number

PREVIEW_ROWS = 50


def _row(row: PlannedRow) -> dict[str, Any]:
    data = row.data
    return {
        "row": row.row,
        "name": data.name,
        "id_number": mask_id_number(data.id_number),
        "org": data.org.name if data.org else "",
        "category": code_name(CodeTable.MEMBER_CATEGORY, data.category_code),
        "joined_at": data.joined_at.isoformat() if data.joined_at else "",
    }


def changed_fields(member: Member, data: MemberData) -> list[str]:
    """Chinese labels of the fields ``data`` would change in ``member``."""
    labels = []
    for name in MemberData.field_names():
        if name == "org":
            differs = data.org is None or member.org_id != data.org.pk
        else:
            differs = (getattr(member, name) or "") != (getattr(data, name) or "")
        if differs:
            labels.append(FIELD_LABELS.get(name, name))
    return labels


def preview_of(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    creates = [_row(r) for r in plan.creates[:PREVIEW_ROWS]]
    shown = plan.updates[:PREVIEW_ROWS]
    members = Member.objects.in_bulk([r.member_id for r in shown])
    updates = []
    for r in shown:
        member = members.get(r.member_id)  # type: ignore[arg-type]
        changes = changed_fields(member, r.data) if member is not None else []
        updates.append({**_row(r), "changes": changes})
    return {"create": creates, "update": updates}
