"""Development pages and API: scope and tenant isolation, documents, the PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.development.models import StepDocument
from tenants.development.pdf import record_document, record_pdf
from tenants.development.steps import add_months, steps
from tests.conftest import logged_in
from tests.tenants.development.path import PDF, PNG, World, walk, world


def _page_text(document) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []

    def visit(box) -> None:  # type: ignore[no-untyped-def]
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", []) or []:
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return "".join(parts)


@pytest.fixture
def full_record(in_alpha):  # type: ignore[no-untyped-def]
    w: World = world()
    record, _ = walk(w, start=add_months(timezone.localdate(), -31), until=25)
    return record


def _ids(record) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    doc = StepDocument.objects.filter(entry__record=record).order_by("id").first()
    return record.pk, doc.pk


def test_pdf_file_contains_every_step_and_embeds_the_documents(full_record):
    text = _page_text(record_document(full_record))
    for number, step in steps().items():
        assert f"第 {number} 步" in text and step.name in text
    assert "按期转正" in text and "陈发展" in text
    pdf = record_pdf(full_record)
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/EmbeddedFile") >= 20  # the uploaded PDFs travel inside the file


def test_board_counts_and_names_by_stage(in_alpha, alpha):
    w = world()
    record, _ = walk(w, start=add_months(timezone.localdate(), -20), until=17)
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "branchsec")
    page = client.get("/development/").content.decode()
    assert "各党支部发展流程" in page
    cell = page.split('data-stage="probationary"><details>')[1].split("</details>")[0]
    assert "1 人" in cell and f"/development/records/{record.pk}/" in cell  # names expand
    assert '"status": "probationary", "value": 1' in page or '"value": 1' in page


def test_documents_are_served_only_in_scope(full_record, alpha, beta):
    record_id, doc_id = _ids(full_record)
    connection.set_schema_to_public()
    sec = logged_in(alpha.host, "branchsec")
    response = sec.get(f"/development/documents/{doc_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    assert (
        logged_in(alpha.host, "member").get(f"/development/documents/{doc_id}/").status_code == 404
    )
    beta_admin = logged_in(beta.host, "admin")
    for path in (
        f"/development/documents/{doc_id}/",
        f"/development/records/{record_id}/",
        f"/development/records/{record_id}/export.pdf",
        f"/development/records/{record_id}/steps/2/",
        f"/api/development/{record_id}/",
    ):
        assert beta_admin.get(path).status_code == 404, path


def test_no_public_media_url_serves_the_files(full_record, alpha):
    doc = StepDocument.objects.filter(entry__record=full_record).first()
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "admin")
    assert client.get(f"/media/{doc.file.name}").status_code == 404


def test_other_branch_secretary_and_plain_member_see_nothing(in_alpha, alpha):
    from shared.accounts.models import User
    from tenants.access.models import Post
    from tenants.members.models import Member

    w = world()
    record, _ = walk(w, start=add_months(timezone.localdate(), -6), until=2)
    other = Member.objects.get(name="赵其他")
    from shared.accounts.services import user_create

    other.user = user_create(
        username="othersec", full_name="赵其他", password="Test#Pass2026x", role=User.Role.MEMBER
    )
    other.save(update_fields=["user"])
    Post.objects.create(
        org=other.org, member=other, post_code="secretary", started_at=timezone.localdate()
    )
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "member")
    assert client.get(f"/development/records/{record.pk}/").status_code == 404
    assert client.get("/development/").status_code == 403
    # A member without development work is refused the API (denied, not an empty list).
    assert client.get("/api/development/").status_code == 403


def test_applicant_sees_own_timeline_on_a_phone_page(in_alpha, alpha):
    from shared.accounts.models import User
    from shared.accounts.services import user_create
    from tenants.development.models import DevelopmentRecord

    w = world()
    record, _ = walk(w, start=add_months(timezone.localdate(), -5), until=3)
    user = user_create(
        username="applicant1",
        full_name="陈发展",
        password="Test#Pass2026",
        role=User.Role.APPLICANT,
    )
    DevelopmentRecord.objects.filter(pk=record.pk).update(user=user)
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "applicant1")
    page = client.get("/development/mine/").content.decode()
    assert "入党积极分子" in page and "第 4 步" in page
    assert client.get(f"/development/records/{record.pk}/").status_code == 200
    assert client.get("/development/").status_code == 403
    assert client.get(f"/development/records/{record.pk}/steps/4/").status_code == 403


def test_recording_a_step_through_the_page_with_a_bad_file_shows_the_error(in_alpha, alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.development.models import StepEntry

    w = world()
    record, dates = walk(w, start=add_months(timezone.localdate(), -5), until=1)
    with schema_context(alpha.schema):
        before = StepEntry.objects.count()
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "branchsec")
    url = f"/development/records/{record.pk}/steps/2/"
    bad = SimpleUploadedFile("谈话.pdf", b"GIF89a fake")
    response = client.post(
        url, {"done_on": (dates[1] + timedelta(days=3)).isoformat(), "doc_0": bad}
    )
    assert response.status_code == 200
    assert "不是 PDF、JPEG 或 PNG" in response.content.decode()
    good = SimpleUploadedFile("谈话.png", PNG)
    response = client.post(
        url, {"done_on": (dates[1] + timedelta(days=3)).isoformat(), "doc_0": good}
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert StepEntry.objects.count() == before + 1
