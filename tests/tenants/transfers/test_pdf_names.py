"""The letters download under Chinese file names (RFC 6266 filename*), not letter-….pdf."""

from __future__ import annotations

from urllib.parse import quote

from django_tenants.utils import schema_context

from tenants.transfers.models import ProofLetter
from tenants.transfers.services import letter_issue
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, scope, user
from tests.tenants.transfers.test_letters import LETTER, _city_out


def test_letter_and_proof_pdfs_have_chinese_names(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        member = new_member(name="外出人")
        letter = letter_issue(
            scope=scope("admin"), actor=user("admin"), transfer=_city_out(member), data=LETTER
        )
    client = logged_in(alpha.host, "admin")
    pdf = client.get(f"/transfers/{letter.transfer_id}/letter.pdf")
    assert pdf.status_code == 200
    name = quote(f"组织关系介绍信-{letter.serial}.pdf")
    assert pdf["Content-Disposition"].startswith("inline")
    assert f"filename*=utf-8''{name}" in pdf["Content-Disposition"]
    response = client.post(
        "/transfers/proofs/new/",
        {"member": member.pk, "destination": "深圳市南山区", "reason": "外出务工", "months": 3},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        proof = ProofLetter.objects.get(member_id=member.pk)
    pdf = client.get(f"/transfers/proofs/{proof.pk}/letter.pdf")
    name = quote(f"党员证明信-{proof.serial}.pdf")
    assert f"filename*=utf-8''{name}" in pdf["Content-Disposition"]
