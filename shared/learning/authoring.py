"""Checks shared by the city's and the counties' course authoring (课程与课节): the fields
of a course and of a lesson, the uploaded media, and when a course may be published."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shared.learning.catalogue import Audience, CourseBase, LessonBase, LessonKind
from shared.learning.media import check_media
from zhdj.errors import ApplicationError

MAX_TEXT = 50000


def text(value: Any, label: str, field: str, *, required: bool = True, limit: int = 100) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ApplicationError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise ApplicationError(f"{label}不能超过 {limit} 个字。", field=field)
    return value


def course_fields(data: dict[str, Any]) -> dict[str, Any]:
    year = data.get("year")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 5 <= year <= this_year + 1:
        raise ApplicationError(
            f"学习年度应在 {this_year - 5}–{this_year + 1} 年之间。", field="year"
        )
    if data.get("audience") not in Audience.values:
        raise ApplicationError("请选择学习对象。", field="audience")
    return {
        "title": text(data.get("title"), "课程名称", "title"),
        "summary": text(data.get("summary"), "课程简介", "summary", required=False, limit=2000),
        "year": year,
        "audience": data["audience"],
        "required": bool(data.get("required")),
    }


def lesson_fields(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in LessonKind.values:
        raise ApplicationError("请选择课节形式。", field="kind")
    fields: dict[str, Any] = {
        "title": text(data.get("title"), "课节名称", "title"),
        "kind": kind,
        "body": text(
            data.get("body"), "正文", "body", required=kind == LessonKind.ARTICLE, limit=MAX_TEXT
        ),
    }
    upload = data.get("media")
    if kind == LessonKind.ARTICLE:
        fields["media_type"] = ""
    else:
        if upload is None:
            raise ApplicationError("请上传课节的文件。", field="media")
        media = check_media(kind, upload)
        fields["media_type"] = media.content_type
        if media.seconds is not None:
            fields["duration_seconds"] = media.seconds
    if "duration_seconds" not in fields:  # an article or a document: the reading time set
        minutes = data.get("reading_minutes")
        if not isinstance(minutes, int) or not 1 <= minutes <= 240:
            raise ApplicationError("请填写 1–240 分钟的学习时长。", field="reading_minutes")
        fields["duration_seconds"] = minutes * 60
    return fields


def attach(lesson: LessonBase, upload: Any) -> None:
    if upload is not None and lesson.kind != LessonKind.ARTICLE:
        lesson.media.save(str(getattr(upload, "name", "media")), upload, save=False)


def publishable(course: CourseBase, published: bool) -> None:
    if published and not course.lessons.exists():  # type: ignore[attr-defined]
        raise ApplicationError("课程还没有课节，不能发布。")


def assign(instance: Any, fields: dict[str, Any]) -> Any:
    """Set checked fields on a course, lesson or question and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.save()
    return instance
