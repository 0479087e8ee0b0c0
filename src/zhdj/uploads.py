"""Uploaded files checked by content (上传文件): a PDF, JPEG or PNG by its first bytes
(``%PDF-``, ``FF D8 FF``, the PNG signature), within a size limit. What a file is called
decides nothing. Used by every app that takes documents (development materials, meeting
materials)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from zhdj.errors import ApplicationError

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass
class Upload:
    """A file given with its kind (材料名称: what the form asked for) and the uploaded file."""

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
