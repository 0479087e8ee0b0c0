"""The ``members`` part of the transfer payload: record, status history, posts (ended on
transfer, carried as party experience) and the extended record sets (domain-rules §3, §6).

The member is created in the receiving schema through ``member_fill`` so the blind
indexes are computed with the receiving county's key. A person who once left this county
(已转出) and comes back gets their old record reactivated rather than a second one (the
ID number's blind index is unique per county).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shared.standards.models import CodeTable
from shared.standards.selectors import code_name
from tenants.members.models import Member, MemberStatusChange
from tenants.members.records import RECORD_SETS, PartyExperienceRecord
from tenants.members.services import member_fill
from tenants.members.validation import MemberData, validate_member
from tenants.transfers.payload import ImportContext, from_iso, iso, part
from zhdj.errors import ApplicationError
from zhdj.pii.fields import index_for

RECORD_FIELDS = [f for f in MemberData.field_names() if f != "org"]
DATE_FIELDS = frozenset({"birth_date", "joined_at", "full_member_at"})


def _json(value: Any) -> Any:
    return iso(value) if hasattr(value, "isoformat") else value


def _row(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: _json(getattr(obj, f)) for f in fields}


@part("members", order=0)
class MembersPart:
    @staticmethod
    def export(member: Member) -> dict[str, Any]:
        record = _row(member, RECORD_FIELDS)
        record.update(
            party_status_code=member.party_status_code,
            flowing=member.flowing,
            flow_destination=member.flow_destination,
        )
        history = [
            _row(c, ("action", "effective_date", "reason", "from_status", "to_status"))
            for c in member.status_changes.all().order_by("effective_date", "id")
        ]
        posts = [
            {
                "org_name": p.org.name,
                "post": code_name(CodeTable.POST, p.post_code) or p.post_code,
                "started_at": iso(p.started_at),
                "ended_at": iso(p.ended_at or timezone.localdate()),
            }
            for p in member.posts.select_related("org").order_by("started_at", "id")
        ]
        sets = {
            slug: [_row(r, spec.fields) for r in spec.model.objects.filter(member=member)]
            for slug, spec in RECORD_SETS.items()
        }
        return {"record": record, "status_history": history, "posts": posts, "sets": sets}

    @staticmethod
    def load(ctx: ImportContext, data: dict[str, Any]) -> None:
        record = data["record"]
        values = {f: from_iso(record[f]) if f in DATE_FIELDS else record[f] for f in RECORD_FIELDS}
        member_data = MemberData(org=ctx.target_org, **values)
        errors = validate_member(member_data)
        if errors:
            field, messages = next(iter(errors.items()))
            raise ApplicationError(f"转入的党员信息不完整：{messages[0]}", field=field)
        existing = Member.objects.filter(
            id_number_index=index_for("id_number", member_data.id_number)
        ).first()
        if existing is not None and existing.party_status_code != "transferred_out":
            raise ApplicationError(
                f"该党员已在本区县登记（{existing.org.name}），不能重复接收。", field="member"
            )
        member = existing or Member()
        member_fill(member, member_data)
        member.party_status_code = "normal"
        member.flowing = bool(record.get("flowing"))
        member.flow_destination = record.get("flow_destination") or ""
        member.user = None
        member.save()
        ctx.member = member
        MemberStatusChange.objects.bulk_create(
            MemberStatusChange(
                member=member,
                action=h["action"],
                effective_date=from_iso(h["effective_date"]),
                reason=h["reason"],
                from_status=h["from_status"],
                to_status=h["to_status"],
            )
            for h in data.get("status_history", [])
        )
        PartyExperienceRecord.objects.bulk_create(
            PartyExperienceRecord(
                member=member,
                org_name=p["org_name"][:100],
                post=p["post"][:50],
                started_at=from_iso(p["started_at"]),
                ended_at=from_iso(p["ended_at"]),
            )
            for p in data.get("posts", [])
        )
        for slug, rows in data.get("sets", {}).items():
            spec = RECORD_SETS[slug]
            date_fields = {
                f
                for f in spec.fields
                if spec.model._meta.get_field(f).get_internal_type() == "DateField"
            }
            spec.model.objects.bulk_create(
                spec.model(
                    member=member,
                    **{k: from_iso(v) if k in date_fields else v for k, v in row.items()},
                )
                for row in rows
            )
