"""Lesson media checked by content (课节媒体): a video must be an MP4, audio an MP3, M4A or
WAV, a document a PDF, judged by the file's first bytes; the length of video and audio is
read from the file itself (mutagen), never taken from the uploader, because it caps the
time a lesson may credit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mutagen

from shared.learning.catalogue import LessonKind
from zhdj.errors import ApplicationError

MAX_MEDIA_MB = 500


@dataclass(frozen=True)
class Media:
    content_type: str
    seconds: int | None  # None for a PDF


def _type_of(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


ACCEPTED = {
    LessonKind.VIDEO: ({"video/mp4"}, "MP4 视频"),
    LessonKind.AUDIO: (
        {"audio/mpeg", "audio/mp4", "audio/wav", "video/mp4"},
        "MP3、M4A 或 WAV 音频",
    ),
    LessonKind.PDF: ({"application/pdf"}, "PDF 文档"),
}


def check_media(kind: str, upload: Any) -> Media:
    """The type and length of an uploaded lesson file, or a Chinese refusal."""
    name = str(getattr(upload, "name", "") or "文件").rsplit("/", 1)[-1][:100]
    size = getattr(upload, "size", 0) or 0
    if size > MAX_MEDIA_MB * 1024 * 1024:
        raise ApplicationError(f"“{name}”超过 {MAX_MEDIA_MB} MB。", field="media")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = _type_of(head)
    accepted, words = ACCEPTED[LessonKind(kind)]
    if content_type not in accepted:
        raise ApplicationError(f"“{name}”不是{words}文件。", field="media")
    if content_type == "application/pdf":
        return Media(content_type, None)
    try:
        probed = mutagen.File(upload)
    except Exception:
        probed = None
    upload.seek(0)
    seconds = int(getattr(getattr(probed, "info", None), "length", 0) or 0)
    if seconds < 1:
        raise ApplicationError(f"无法读取“{name}”的时长，请上传完整的媒体文件。", field="media")
    return Media(content_type, seconds)
