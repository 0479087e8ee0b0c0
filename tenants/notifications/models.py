"""In-app notifications (站内消息) of a county's users, pushed live to the bell."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    sender_name = models.CharField("发送人", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = "消息"
        verbose_name_plural = "消息"

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """That one reminder went out (提醒发送记录): one row per (kind, target, period), unique.

    A reminder job claims its row in the same transaction as the notifications it writes
    (``tenants.notifications.services.reminder_claim``): a redelivered task (Celery acks
    late) or a second run the same day finds the row and sends nothing twice; a run that
    failed rolled the claim back with its notifications, and the next one sends.
    """

    kind = models.CharField("提醒类别", max_length=40)
    target = models.CharField("对象", max_length=64)
    period = models.CharField("周期", max_length=32)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target", "period"], name="notifications_reminder_once"
            )
        ]
        verbose_name = "提醒发送记录"
        verbose_name_plural = "提醒发送记录"

    def __str__(self) -> str:
        return f"{self.kind} {self.target} {self.period}"
