"""The ``development`` part of the transfer payload: the member's development file
(发展党员纪实档案) follows them to the receiving county (组织关系转接, domain-rules §3).

The receiving county gets the record, every step entry with its dates, acting body,
details and meeting vote, and every document (the files copied into its own storage).
What named the sending county's rows — the acting organization, the cultivation
contacts and introducers, the users who submitted and decided — is kept by name in the
entry's ``details`` (``acting_org_name``, ``people``), since those rows do not exist here.
Document files are written under ``development/transfer-<envelope>/`` named by their
hash, so a retried acceptance reuses them instead of leaving copies behind.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.core.files.base import ContentFile

from tenants.development.models import (
    EXTENSIONS,
    DevelopmentRecord,
    MeetingVote,
    StepDocument,
    StepEntry,
    Submission,
)
from tenants.members.models import Member
from tenants.transfers.payload import ImportContext, from_iso, iso, part
from zhdj.errors import ApplicationError

ENTRY_FIELDS = (
    "step_number", "state", "probation_round", "actor_name", "note", "late_days", "late_rule",
    "return_reason",
)  # fmt: skip
VOTE_FIELDS = ("expected", "present", "yes", "no", "abstain")


def _entry(e: StepEntry) -> dict[str, Any]:
    vote = getattr(e, "vote", None)
    return {
        **{f: getattr(e, f) for f in ENTRY_FIELDS},
        "done_on": iso(e.done_on),
        "decided_at": e.decided_at.isoformat() if e.decided_at else None,
        "details": {
            **(e.details or {}),
            "acting_org_name": e.acting_org.name if e.acting_org else "",
            "people": [
                {"role": p.get_role_display(), "name": p.member.name} for p in e.people.all()
            ],
        },
        "vote": None if vote is None else {f: getattr(vote, f) for f in VOTE_FIELDS},
        "documents": [
            {
                "kind": d.kind,
                "original_name": d.original_name,
                "content_type": d.content_type,
                "sha256": d.sha256,
                "content": base64.b64encode(_read(d)).decode(),
            }
            for d in e.documents.all()
        ],
    }


def _submission(s: Submission) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "title": s.title,
        "text": s.text,
        "original_name": s.original_name,
        "content_type": s.content_type,
        "sha256": s.sha256,
        "submitted_on": iso(s.submitted_on),
        "content": base64.b64encode(_read(s)).decode(),
    }


def _read(document: StepDocument | Submission) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


@part("development", order=20)
class DevelopmentPart:
    @staticmethod
    def export(member: Member) -> dict[str, Any] | None:
        record = DevelopmentRecord.objects.filter(member=member).first()
        if record is None:
            return None
        entries = (
            record.entries.select_related("acting_org", "vote")
            .prefetch_related("documents", "people__member")
            .order_by("step_number", "done_on", "id")
        )
        return {
            "status": record.status,
            "applied_on": iso(record.applied_on),
            "education_code": record.education_code,
            "job_title": record.job_title,
            "probation_start": iso(record.probation_start),
            "probation_end": iso(record.probation_end),
            "probation_round": record.probation_round,
            "entries": [_entry(e) for e in entries],
            "submissions": [_submission(s) for s in record.submissions.order_by("id")],
        }

    @staticmethod
    def load(ctx: ImportContext, data: dict[str, Any]) -> None:
        member = ctx.member
        assert member is not None  # the members part runs first
        if DevelopmentRecord.objects.filter(id_number_index=member.id_number_index).exists():
            ctx.notes.append("本区县已有该同志的发展党员纪实档案，未重复导入。")
            return
        record = DevelopmentRecord.objects.create(
            org=ctx.target_org,
            name=member.name,
            id_number=member.id_number,
            id_number_index=member.id_number_index,
            sex=member.sex,
            birth_date=member.birth_date,
            ethnicity_code=member.ethnicity_code,
            education_code=data.get("education_code") or member.education_code,
            job_title=data.get("job_title", ""),
            phone=member.phone,
            phone_index=member.phone_index,
            address=member.address,
            status=data["status"],
            applied_on=from_iso(data["applied_on"]),
            member=member,
            probation_start=from_iso(data.get("probation_start")),
            probation_end=from_iso(data.get("probation_end")),
            probation_round=data.get("probation_round", 0),
        )
        for item in data["entries"]:
            entry = StepEntry.objects.create(
                record=record,
                done_on=from_iso(item["done_on"]),
                decided_at=item.get("decided_at"),
                details=item["details"],
                **{f: item[f] for f in ENTRY_FIELDS},
            )
            if item.get("vote"):
                MeetingVote.objects.create(entry=entry, **item["vote"])
            for doc in item["documents"]:
                _copy_document(ctx, entry, doc)
        for item in data.get("submissions", []):  # handed in by the person themself
            _copy_submission(ctx, record, item)
        ctx.notes.append(f"发展党员纪实档案已随转（{len(data['entries'])} 个步骤记录）。")


def _copy_document(ctx: ImportContext, entry: StepEntry, doc: dict[str, Any]) -> None:
    content = base64.b64decode(doc["content"])
    if hashlib.sha256(content).hexdigest() != doc["sha256"]:
        raise ApplicationError(f"发展材料“{doc['original_name']}”在转接中损坏，未接收。")
    document = StepDocument(
        entry=entry,
        kind=doc["kind"],
        original_name=doc["original_name"],
        content_type=doc["content_type"],
        size=len(content),
        sha256=doc["sha256"],
    )
    name = f"development/transfer-{ctx.envelope_id}/{doc['sha256'][:16]}{document.extension}"
    storage = document.file.storage  # encrypted under this county's key
    if not storage.exists(name):
        name = storage.save(name, ContentFile(content))
    document.file.name = name
    document.save()


def _copy_submission(ctx: ImportContext, record: DevelopmentRecord, doc: dict[str, Any]) -> None:
    content = base64.b64decode(doc["content"])
    if hashlib.sha256(content).hexdigest() != doc["sha256"]:
        raise ApplicationError(f"本人递交的“{doc['original_name']}”在转接中损坏，未接收。")
    submission = Submission(
        record=record,
        kind=doc["kind"],
        title=doc.get("title", ""),
        text=doc.get("text", ""),
        original_name=doc["original_name"],
        content_type=doc["content_type"],
        size=len(content),
        sha256=doc["sha256"],
        submitted_on=from_iso(doc["submitted_on"]),
    )
    extension = EXTENSIONS.get(doc["content_type"], "")
    name = f"development/transfer-{ctx.envelope_id}/own-{doc['sha256'][:16]}{extension}"
    storage = submission.file.storage  # encrypted under this county's key
    if not storage.exists(name):
        name = storage.save(name, ContentFile(content))
    submission.file.name = name
    submission.save()
