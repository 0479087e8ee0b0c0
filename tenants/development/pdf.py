"""The whole development file (发展党员全程纪实) as one PDF (WeasyPrint, Noto CJK).

One section per step of the 25 in order — date, acting body, late flags, the branch
meeting's vote, the people named, the documents — with image documents printed in place
and PDF documents embedded as attachments of the file, so one download carries all.
"""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from shared.standards.selectors import code_name
from tenants.development.models import DevelopmentRecord, StepDocument
from tenants.development.timeline import timeline
from zhdj.pii.masking import mask_id_number, mask_phone


def _image_uri(doc: StepDocument) -> str:
    with doc.file.open("rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    return f"data:{doc.content_type};base64,{data}"


def record_context(record: DevelopmentRecord) -> dict[str, Any]:
    views = timeline(record)
    images = {
        doc.pk: _image_uri(doc)
        for view in views
        for entry in view.entries
        for doc in entry.documents.all()
        if doc.content_type.startswith("image/")
    }
    return {
        "record": record,
        "steps": views,
        "images": images,
        "ethnicity": code_name("ethnicity", record.ethnicity_code),
        "education": code_name("education", record.education_code),
        "masked_id": mask_id_number(record.id_number),
        "masked_phone": mask_phone(record.phone),
        "printed_at": timezone.localtime(),
    }


def record_html(record: DevelopmentRecord) -> str:
    return render_to_string("development/pdf.html", record_context(record))


def record_document(record: DevelopmentRecord) -> Any:
    """The rendered WeasyPrint document (pages, for tests and previews)."""
    from weasyprint import HTML

    return HTML(string=record_html(record)).render()


def _attachments(record: DevelopmentRecord) -> list[Any]:
    from weasyprint import Attachment

    found = []
    docs = StepDocument.objects.filter(entry__record=record, content_type="application/pdf")
    for doc in docs.select_related("entry").order_by("entry__step_number", "id"):
        with doc.file.open("rb") as handle:
            content = handle.read()
        found.append(
            Attachment(
                string=content,
                name=f"第{doc.entry.step_number}步-{doc.kind}-{doc.original_name}",
                description=doc.kind,
            )
        )
    return found


def record_pdf(record: DevelopmentRecord) -> bytes:
    return record_document(record).write_pdf(attachments=_attachments(record))
