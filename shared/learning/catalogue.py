"""What a course and a lesson are, for both publishers: the city (``shared.learning``,
kept once in public and read by every county) and a county (``tenants.learning``, in its
own schema). Both concrete models take these abstract bases, so a page, a service or the
study-time engine treats a lesson the same wherever it was published.

Keys are UUIDs: a study record names a lesson by its id alone, and no city lesson's id can
equal a county lesson's."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible

CITY = "city"  # the publisher key of the city's catalogue (a county's is its schema name)


class LessonKind(models.TextChoices):
    ARTICLE = "article", "图文"
    VIDEO = "video", "视频"
    AUDIO = "audio", "音频"
    PDF = "pdf", "文档"


class Audience(models.TextChoices):
    """Who a course is meant for (学习对象). Development targets are not members yet and
    their study is not credited here (docs/learning.md, left out)."""

    ALL = "all", "全体党员"
    PROBATIONARY = "probationary", "预备党员"
    SECRETARIES = "secretaries", "党组织书记和班子成员"


@deconstructible(path="shared.learning.catalogue.LessonStorage")
class LessonStorage(FileSystemStorage):
    """Lesson media under MEDIA_ROOT/learning/<publisher>/: not personal data, so stored
    as they are (a video must be served in byte ranges), and never through a public URL."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        from django.conf import settings

        return str(PurePosixPath(settings.MEDIA_ROOT) / "learning")

    @property
    def location(self) -> str:  # type: ignore[override]
        return self.base_location


def lesson_media_path(instance: LessonBase, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{instance.publisher}/{instance.id}{suffix}"


class CourseBase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("课程名称", max_length=100)
    summary = models.TextField("课程简介", blank=True)
    year = models.PositiveSmallIntegerField("学习年度", db_index=True)
    audience = models.CharField(
        "学习对象", max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    required = models.BooleanField("必修", default=True)
    published = models.BooleanField("已发布", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class LessonBase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("课节名称", max_length=100)
    kind = models.CharField("形式", max_length=8, choices=LessonKind.choices)
    body = models.TextField("正文", blank=True)
    media = models.FileField(
        "媒体文件", storage=LessonStorage(), upload_to=lesson_media_path, blank=True
    )
    media_type = models.CharField(max_length=40, blank=True)
    # The length of the media (read from the file) or the reading time the publisher set:
    # no lesson credits more than this.
    duration_seconds = models.PositiveIntegerField("时长（秒）")
    sort = models.PositiveSmallIntegerField("顺序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["sort", "created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def publisher(self) -> str:
        raise NotImplementedError

    @property
    def is_media(self) -> bool:
        return self.kind in (LessonKind.VIDEO, LessonKind.AUDIO)
