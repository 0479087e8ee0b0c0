"""Study time as the server counts it (学习时长).

A player opens a ``StudySession`` and sends progress events; the engine
(``tenants.learning.study``) credits only what the rules allow and records every refused
event as a ``StudyRejection``. ``StudyDay`` holds what one lesson credits one member on one
day, ``LessonProgress`` the lesson's total (capped) and when it was completed. Lessons are
named by UUID: a county's (``Course``) or the city's (``shared.learning``)."""

from __future__ import annotations

import uuid

from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields


class SessionState(models.TextChoices):
    ACTIVE = "active", "学习中"
    PAUSED = "paused", "已暂停（另一设备学习）"
    ENDED = "ended", "已结束"


class StudySession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="study_sessions"
    )
    lesson_id = models.UUIDField(db_index=True)
    device = models.CharField(max_length=64)
    day = models.DateField()
    state = models.CharField(max_length=8, choices=SessionState.choices)
    started_at = models.DateTimeField()
    last_event_at = models.DateTimeField()
    last_seq = models.PositiveIntegerField(default=0)
    position = models.FloatField(default=0)
    credited_seconds = models.PositiveIntegerField(default=0)
    # The fraction of a second earned and not yet credited (a database default: old code
    # inserting sessions during a rolling release keeps working).
    credit_carry = models.FloatField(default=0, db_default=0)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "学习会话"
        verbose_name_plural = "学习会话"
        indexes = [models.Index(fields=["member", "state"])]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.started_at:%Y-%m-%d %H:%M}"


class StudyDay(models.Model):
    """What one lesson credits one member on one day (the longest session, or the sum, as
    the rules say; within the daily cap)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    lesson_id = models.UUIDField()
    day = models.DateField()
    credited_seconds = models.PositiveIntegerField(default=0)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "每日学习时长"
        verbose_name_plural = "每日学习时长"
        constraints = [
            models.UniqueConstraint(fields=["member", "lesson_id", "day"], name="study_day_once")
        ]
        indexes = [models.Index(fields=["member", "day"])]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.day}"


class LessonProgress(models.Model):
    """A member's credited time on one lesson, capped by the rules; completed once it
    reaches the completion share of the lesson's length."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson_id = models.UUIDField()
    course_id = models.UUIDField()
    credited_seconds = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "课节学习进度"
        verbose_name_plural = "课节学习进度"
        constraints = [
            models.UniqueConstraint(fields=["member", "lesson_id"], name="lesson_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.credited_seconds}s"


class StudyRejection(models.Model):
    """A progress event the server refused (too fast, replayed, from a paused device,
    beyond the media's length ...): kept, never credited."""

    class Reason(models.TextChoices):
        TOO_FAST = "too_fast", "进度快于实际时间"
        REPLAY = "replay", "重复或过期的进度"
        PAUSED = "paused", "另一设备正在学习"
        BEYOND = "beyond", "超出媒体时长"
        ENDED = "ended", "学习会话已结束"
        DAY = "day", "会话已跨日"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="rejections")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "被拒绝的学习进度"
        verbose_name_plural = "被拒绝的学习进度"

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.at:%Y-%m-%d %H:%M}"
