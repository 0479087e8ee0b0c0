from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared.learning.catalogue import Audience, LessonKind
from tenants.learning import services
from tenants.learning.catalogue import Found, lesson_by_id
from tests.tenants.orglife.conftest import Branch, b, in_alpha  # noqa: F401  (fixtures)

MEDIA = Path(__file__).resolve().parents[3] / "tenants" / "learning" / "demo_media"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (MEDIA / name).read_bytes())


def at(hour: int, minute: int = 0, second: float = 0) -> datetime:
    """A moment of a fixed day (local time)."""
    whole = int(second)
    micro = round((second - whole) * 1_000_000)
    return timezone.make_aware(datetime(2026, 11, 3, hour, minute, whole, micro))


def course_with(b: Branch, kind: str = LessonKind.VIDEO, **lesson: object) -> Found:  # noqa: F811
    course = services.course_create(
        b.sec_scope,
        b.village,
        {
            "title": "学习党章",
            "year": timezone.localdate().year,
            "audience": Audience.ALL,
            "required": True,
        },
        b.secretary,
    )
    data: dict = {"title": "第一讲", "kind": kind, **lesson}
    if kind == LessonKind.VIDEO and "media" not in data:
        data["media"] = upload("lesson.mp4")
    if kind == LessonKind.AUDIO and "media" not in data:
        data["media"] = upload("lesson.mp3")
    made = services.lesson_add(b.sec_scope, course, data)
    services.course_publish(b.sec_scope, course, True)
    found = lesson_by_id(made.pk)
    assert found is not None
    return found
