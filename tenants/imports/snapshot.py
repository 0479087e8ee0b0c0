"""The checked rows of an import, kept encrypted between preview and commit.

Commit does not read the workbook again: the rows' own rules (checksum, dates, code tables)
cannot change between the two steps, and parsing 50,000 rows twice would take most of the
time budget. What can change — the database and the user's scope — is checked again at
commit (``commit.recheck``). The snapshot is compressed JSON encrypted with the county's
key, authenticated together with the job id (it cannot be moved to another job).
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date
from typing import Any

from tenants.imports.models import ImportPlanSnapshot
from tenants.imports.validate import Plan, PlannedRow
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from zhdj.pii.crypto import DecryptionError, decrypt, encrypt

DATES = ("birth_date", "joined_at", "full_member_at")
FIELDS = [f for f in MemberData.field_names() if f != "org"]


def _aad(job_id: Any) -> bytes:
    return f"imports.plan:{job_id}".encode()


def _encode(plan: Plan) -> str:
    rows = []
    for r in plan.rows:
        values = [getattr(r.data, f) for f in FIELDS]
        values = [v.isoformat() if isinstance(v, date) else v for v in values]
        rows.append([r.row, r.member_id, r.id_index, r.data.org.pk if r.data.org else None, values])
    raw = json.dumps({"total": plan.total, "fields": FIELDS, "rows": rows}, ensure_ascii=False)
    return base64.b64encode(zlib.compress(raw.encode("utf-8"), 6)).decode("ascii")


def _decode(text: str) -> Plan:
    payload = json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))
    if payload["fields"] != FIELDS:
        raise ValueError("snapshot written by another version")
    orgs = Organization.objects.in_bulk({r[3] for r in payload["rows"]})
    plan = Plan(total=payload["total"])
    for row, member_id, id_index, org_id, values in payload["rows"]:
        kwargs = dict(zip(FIELDS, values, strict=True))
        for name in DATES:
            if kwargs[name]:
                kwargs[name] = date.fromisoformat(kwargs[name])
        data = MemberData(org=orgs.get(org_id), **kwargs)
        plan.rows.append(PlannedRow(row=row, data=data, id_index=id_index, member_id=member_id))
    return plan


def snapshot_save(job_id: Any, plan: Plan) -> None:
    token = encrypt(_encode(plan), aad=_aad(job_id))
    ImportPlanSnapshot.objects.update_or_create(job_id=job_id, defaults={"token": token})


def snapshot_load(job_id: Any) -> Plan | None:
    """The stored plan, or None when it is gone or unreadable."""
    snapshot = ImportPlanSnapshot.objects.filter(job_id=job_id).first()
    if snapshot is None:
        return None
    try:
        return _decode(decrypt(snapshot.token, aad=_aad(job_id)))
    except (DecryptionError, ValueError, KeyError, TypeError, zlib.error):
        return None


def snapshot_drop(job_id: Any) -> None:
    ImportPlanSnapshot.objects.filter(job_id=job_id).delete()
