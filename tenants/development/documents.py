"""Uploaded development documents (发展材料): checked by content, stored per county.

A file is accepted by what it is, not by what it is called: its first bytes must be a
PDF (``%PDF-``), JPEG (``FF D8 FF``) or PNG signature, and it must not exceed the size
limit (rule ``development.document_max_mb``). Files go to the default storage
(``TenantFileSystemStorage``: ``media/<schema>/development/<record>/``) under a name made
from their hash, and are served only by the scoped view ``development:document``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile

from shared.standards.models import DevelopmentStep
from zhdj.errors import ApplicationError

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass
class Upload:
    """A file given for a step: the document kind (材料名称) and the uploaded file."""

    kind: str
    file: Any  # django UploadedFile or any object with .name and .read()


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    name: str
    content: bytes
    content_type: str
    sha256: str


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


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


def check_upload(upload: Upload, *, max_mb: int, field: str) -> CheckedUpload:
    """One file: within the size limit and a PDF, JPEG or PNG by its content."""
    limit = max_mb * 1024 * 1024
    name = str(getattr(upload.file, "name", "") or "文件").rsplit("/", 1)[-1][:200]
    size = getattr(upload.file, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(f"“{name}”超过 {max_mb} MB，请压缩后再上传。", field=field)
    content = upload.file.read()
    if len(content) > limit:
        raise ApplicationError(f"“{name}”超过 {max_mb} MB，请压缩后再上传。", field=field)
    content_type = sniff(content[:16])
    if content_type is None:
        raise ApplicationError(
            f"“{name}”不是 PDF、JPEG 或 PNG 文件（{upload.kind}只接受这三种格式）。",
            field=field,
        )
    digest = hashlib.sha256(content).hexdigest()
    return CheckedUpload(upload.kind, name, content, content_type, digest)


def _field(kind: str) -> str:
    return f"doc:{kind}"


def content_file(upload: CheckedUpload) -> ContentFile:
    return ContentFile(upload.content, name=upload.name)
