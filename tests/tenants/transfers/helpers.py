"""Helpers for the cross-county tests: send a transfer from alpha to beta, read the
outcome in both schemas, and remove committed rows after live tests."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import connection
from django_tenants.utils import schema_context

from shared.interchange.models import TransferEnvelope
from tenants.members.models import Member
from tenants.transfers.models import Kind, Transfer
from tenants.transfers.services import (
    envelope_source_step,
    envelope_target_step,
    transfer_approve,
    transfer_start,
)
from tests.tenants.transfers.conftest import new_member, scope, user
from zhdj.pii.fields import index_for


@dataclass(frozen=True)
class Sent:
    member_id: int
    id_number: str
    transfer_id: int
    envelope_id: UUID
    user_id: int


def settle(envelope_id: UUID) -> Transfer | None:
    """What the two counties' workers do after an acceptance or a return: the sending
    county's step, then the receiving county's (each in its own schema and transaction)."""
    envelope = TransferEnvelope.objects.get(pk=envelope_id)
    with schema_context(envelope.source_schema):
        envelope_source_step(envelope_id)
    with schema_context(envelope.target_schema):
        return envelope_target_step(envelope_id)


def send_alpha_to_beta(*, records: bool = True) -> Sent:
    with schema_context("alpha"):
        member = new_member()
        if records:
            from tenants.members.records import FamilyRecord, HonorRecord

            FamilyRecord.objects.create(member=member, relation="配偶", name="某某")
            HonorRecord.objects.create(
                member=member, kind="reward", name="优秀共产党员", decided_at="2020-07-01"
            )
        admin = user("admin")
        transfer = transfer_start(
            scope=scope("admin"),
            actor=admin,
            member=member,
            kind=Kind.COUNTY_OUT,
            reason="工作调动",
            target_schema="beta",
        )
        transfer_approve(scope=scope("admin"), actor=admin, transfer=transfer)
        envelope = TransferEnvelope.objects.get(
            source_schema="alpha", source_transfer_id=transfer.pk
        )
        return Sent(member.pk, member.id_number, transfer.pk, envelope.id, member.user_id)


@dataclass(frozen=True)
class Outcome:
    alpha_status: str
    alpha_transfer_state: str
    alpha_user_active: bool
    beta_members: list[Member]
    envelope_state: str

    @property
    def active(self) -> int:
        normal = self.alpha_status == "normal"
        return int(normal) + sum(m.party_status_code == "normal" for m in self.beta_members)


def outcome(sent: Sent) -> Outcome:
    from shared.accounts.models import User

    with schema_context("alpha"):
        member = Member.objects.get(pk=sent.member_id)
        alpha = (
            member.party_status_code,
            Transfer.objects.get(pk=sent.transfer_id).state,
            User.objects.get(pk=sent.user_id).is_active,
        )
    with schema_context("beta"):
        beta = list(Member.objects.filter(id_number_index=index_for("id_number", sent.id_number)))
    state = TransferEnvelope.objects.get(pk=sent.envelope_id).state
    return Outcome(*alpha, beta, state)


def purge(sent: Sent) -> None:
    """Delete a committed transfer from both schemas and public (triggers off: the
    history tables are append-only by design)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for schema in ("alpha", "beta"):
                ids = _member_ids(cursor, schema, sent)
                if not ids:
                    continue
                for sql in (
                    "DELETE FROM {s}.transfers_transferaction WHERE transfer_id IN "
                    "(SELECT id FROM {s}.transfers_transfer WHERE member_id = ANY(%s))",
                    "DELETE FROM {s}.transfers_letter WHERE transfer_id IN "
                    "(SELECT id FROM {s}.transfers_transfer WHERE member_id = ANY(%s))",
                    "DELETE FROM {s}.transfers_transfer WHERE member_id = ANY(%s)",
                    "DELETE FROM {s}.members_memberstatuschange WHERE member_id = ANY(%s)",
                    "DELETE FROM {s}.access_post WHERE member_id = ANY(%s)",
                    "DELETE FROM {s}.members_familyrecord WHERE member_id = ANY(%s)",
                    "DELETE FROM {s}.members_honorrecord WHERE member_id = ANY(%s)",
                    "DELETE FROM {s}.members_partyexperiencerecord WHERE member_id = ANY(%s)",
                ):
                    cursor.execute(sql.format(s=schema), [ids])
                cursor.execute(
                    f"SELECT user_id FROM {schema}.members_member WHERE id = ANY(%s)", [ids]
                )
                users = [r[0] for r in cursor.fetchall() if r[0]]
                cursor.execute(f"DELETE FROM {schema}.members_member WHERE id = ANY(%s)", [ids])
                if users:
                    cursor.execute(
                        f"DELETE FROM {schema}.accounts_user WHERE id = ANY(%s)", [users]
                    )
            cursor.execute(
                "DELETE FROM public.interchange_transferenvelope WHERE id = %s", [sent.envelope_id]
            )
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _member_ids(cursor, schema: str, sent: Sent) -> list[int]:  # type: ignore[no-untyped-def]
    if schema == "alpha":
        return [sent.member_id]
    with schema_context("beta"):
        index = index_for("id_number", sent.id_number)
    cursor.execute(f"SELECT id FROM {schema}.members_member WHERE id_number_index = %s", [index])
    return [r[0] for r in cursor.fetchall()]
