"""Between counties the development file (with its documents) and 党费交至 go along."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord, MeetingVote, StepDocument, StepEntry
from tenants.dues.billing import bills_generate
from tenants.dues.models import DuesAccount, DuesBase, DuesBill
from tenants.dues.services import dues_base_set
from tenants.members.models import Member
from tenants.transfers.faults import InjectedCrash, crash_at
from tests.tenants.transfers.conftest import scope, user
from tests.tenants.transfers.helpers import send_alpha_to_beta
from tests.tenants.transfers.test_crosscounty import _accept
from zhdj.pii.fields import index_for

PDF = b"%PDF-1.4\n% the branch meeting's resolution\n"


def _give_history(member_id: int) -> None:
    """In alpha: an admitted member's development file with a vote and a document, and
    dues paid up to March 2026."""
    with schema_context("alpha"):
        member = Member.objects.select_related("org").get(pk=member_id)
        record = DevelopmentRecord.objects.create(
            org=member.org, name=member.name, id_number=member.id_number,
            id_number_index=member.id_number_index, sex=member.sex,
            birth_date=member.birth_date, ethnicity_code=member.ethnicity_code,
            status="probationary", applied_on=date(2024, 3, 1), member=member,
            probation_start=date(2025, 9, 1), probation_end=date(2026, 9, 1),
        )  # fmt: skip
        StepEntry.objects.create(
            record=record, step_number=1, state="done", done_on=date(2024, 3, 1),
            actor_name=member.name,
        )  # fmt: skip
        meeting = StepEntry.objects.create(
            record=record, step_number=15, state="done", done_on=date(2025, 9, 1),
            actor_name="支部大会", acting_org=member.org, details={"resolution": "同意接收"},
        )  # fmt: skip
        MeetingVote.objects.create(entry=meeting, expected=9, present=8, yes=7, no=1)
        doc = StepDocument(
            entry=meeting, kind="支部大会决议", original_name="决议.pdf",
            content_type="application/pdf", size=len(PDF),
            sha256=__import__("hashlib").sha256(PDF).hexdigest(),
        )  # fmt: skip
        doc.file.save("upload", ContentFile(PDF), save=False)
        doc.save()
        dues_base_set(
            scope=scope("admin"), member=member, category_code="in_service",
            base_fen=420000, from_month=date(2026, 1, 1), actor=user("admin"),
        )  # fmt: skip
        for month in (1, 2, 3, 4):
            bills_generate(scope=Scope.system(), month=date(2026, month, 1))
        DuesBill.objects.filter(member=member, month__lte=date(2026, 3, 1)).update(status="paid")


def _beta_member(id_number: str) -> Member:
    with schema_context("beta"):
        return Member.objects.get(id_number_index=index_for("id_number", id_number))


def _check_beta(sent) -> None:  # type: ignore[no-untyped-def]
    member = _beta_member(sent.id_number)
    with schema_context("beta"):
        (record,) = DevelopmentRecord.objects.filter(member=member)
        assert (record.status, record.applied_on) == ("probationary", date(2024, 3, 1))
        assert record.org_id == member.org_id and record.probation_end == date(2026, 9, 1)
        steps = {e.step_number: e for e in record.entries.all()}
        assert sorted(steps) == [1, 15]
        meeting = steps[15]
        assert meeting.acting_org is None and meeting.details["acting_org_name"]
        assert meeting.details["resolution"] == "同意接收"
        assert (meeting.vote.expected, meeting.vote.present, meeting.vote.yes) == (9, 8, 7)
        (doc,) = StepDocument.objects.filter(entry=meeting)
        assert doc.file.name.startswith(f"development/transfer-{sent.envelope_id}/")
        with doc.file.open("rb") as f:
            assert f.read() == PDF  # in beta's own storage
        account = DuesAccount.objects.get(member=member)
        assert account.pays_from == date(2026, 4, 1)  # 党费交至 2026-03 carries over
        base = DuesBase.objects.get(member=member)
        assert (base.category_code, base.base_fen, base.from_month) == (
            "in_service", 420000, date(2026, 4, 1),
        )  # fmt: skip


def test_the_development_file_documents_and_dues_follow_the_member(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    sent = send_alpha_to_beta(records=False)
    _give_history(sent.member_id)
    _accept(sent.envelope_id)
    _check_beta(sent)


@pytest.mark.parametrize("step", ["account_created", "envelope_decided"])
def test_a_crash_after_the_files_were_copied_leaves_one_file_and_one_record(
    db, settings, tmp_path, step
):
    settings.MEDIA_ROOT = str(tmp_path)
    sent = send_alpha_to_beta(records=False)
    _give_history(sent.member_id)
    with crash_at(step), pytest.raises(InjectedCrash):
        _accept(sent.envelope_id)
    with schema_context("beta"):
        assert not DevelopmentRecord.objects.filter(
            id_number_index=index_for("id_number", sent.id_number)
        ).exists()
    _accept(sent.envelope_id)  # the retry reuses the file written by the crashed attempt
    _check_beta(sent)
    assert len(list((tmp_path / "beta" / "development").rglob("*.pdf"))) == 1
