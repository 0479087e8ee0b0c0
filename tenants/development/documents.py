"""Uploaded development documents (发展材料): checked by content, stored per county.

A file is accepted by what it is, not by what it is called: its first bytes must be a
PDF (``%PDF-``), JPEG (``FF D8 FF``) or PNG signature, and it must not exceed the size
limit (rule ``development.document_max_mb``). Files go to the default storage
(``TenantFileSystemStorage``: ``media/<schema>/development/<record>/``) under a name made
from their hash, and are served only by the scoped view ``development:document``.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from shared.standards.models import DevelopmentStep
from zhdj.errors import ApplicationError
from zhdj.uploads import CheckedUpload, Upload, check_upload, sniff

__all__ = ["CheckedUpload", "Upload", "check_upload", "check_uploads", "content_file", "sniff"]


def check_uploads(
    step: DevelopmentStep, uploads: list[Upload], *, max_mb: int
) -> list[CheckedUpload]:
    """Every upload valid and every required document present, or an error naming it."""
    checked = []
    for upload in uploads:
        if upload.kind not in step.documents:
            raise ApplicationError(
                f"第 {step.number} 步没有“{upload.kind}”这项材料。", field="documents"
            )
        checked.append(check_upload(upload, max_mb=max_mb, field=_field(upload.kind)))
    given = {c.kind for c in checked}
    missing = [kind for kind in step.documents if kind not in given]
    if missing:
        raise ApplicationError(
            f"第 {step.number} 步“{step.name}”缺少材料：{'、'.join(missing)}。",
            field=_field(missing[0]),
        )
    return checked


def _field(kind: str) -> str:
    return f"doc:{kind}"


def content_file(upload: CheckedUpload) -> ContentFile:
    return ContentFile(upload.content, name=upload.name)
