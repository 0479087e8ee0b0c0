"""The city's demo course (市级课程): published for every county, read from public."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared.accounts.models import User
from shared.learning.catalogue import Audience, LessonKind
from shared.learning.models import CityCourse
from shared.learning.services import city_course_create, city_course_publish, city_lesson_add

PRIMER = (
    "党章是党的根本大法，是全党必须遵循的总规矩。",
    "学习党章，要把握党的性质、宗旨、指导思想和奋斗目标。",
    "遵守党章，要落实到履行党员义务、维护党员权利的具体行动中。",
)
MEDIA = Path(__file__).resolve().parents[2] / "tenants" / "learning" / "demo_media"


def seed_city() -> None:
    if CityCourse.objects.exists():
        return
    city = User.objects.filter(role=User.Role.CITY).order_by("pk").first()
    if city is None:
        return
    course = city_course_create(
        city,
        {
            "title": "学党章、守党规、强党性",
            "summary": "市委组织部统一发布，全市党员必学。",
            "year": timezone.localdate().year,
            "audience": Audience.ALL,
            "required": True,
        },
    )
    city_lesson_add(
        city,
        course,
        {
            "title": "党章导读",
            "kind": LessonKind.ARTICLE,
            "body": "\n".join(PRIMER),
            "reading_minutes": 8,
        },
    )
    city_lesson_add(
        city,
        course,
        {
            "title": "党课音频：党员的权利和义务",
            "kind": LessonKind.AUDIO,
            "media": SimpleUploadedFile("lesson.mp3", (MEDIA / "lesson.mp3").read_bytes()),
        },
    )
    city_course_publish(city, course, True)
