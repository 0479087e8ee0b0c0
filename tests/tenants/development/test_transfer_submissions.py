"""What the person handed in themself (本人递交材料) follows their development file to
another county, with the file in the receiving county's own storage."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from tenants.development.models import DevelopmentRecord, Submission
from tests.tenants.transfers.helpers import send_alpha_to_beta
from tests.tenants.transfers.test_crosscounty import _accept
from tests.tenants.transfers.test_crosscounty_files import PDF, _beta_member, _give_history


def test_the_documents_handed_in_follow_the_member(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    sent = send_alpha_to_beta(records=False)
    _give_history(sent.member_id)
    with schema_context("alpha"):
        record = DevelopmentRecord.objects.get(member_id=sent.member_id)
        report = Submission(
            record=record, kind="思想汇报", title="转正前思想汇报", text="认真学习。",
            original_name="思想汇报.pdf", content_type="application/pdf", size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(), submitted_on=date(2026, 3, 1),
        )  # fmt: skip
        report.file.save("upload", ContentFile(PDF), save=False)
        report.save()
    _accept(sent.envelope_id)
    member = _beta_member(sent.id_number)
    with schema_context("beta"):
        (moved,) = Submission.objects.filter(record__member=member)
        assert (moved.kind, moved.title, moved.text, moved.submitted_on) == (
            "思想汇报", "转正前思想汇报", "认真学习。", date(2026, 3, 1),
        )  # fmt: skip
        assert moved.file.name.startswith(f"development/transfer-{sent.envelope_id}/own-")
        with moved.file.open("rb") as f:
            assert f.read() == PDF
