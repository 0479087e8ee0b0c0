"""What learning tells the points work that follows (积分): a lesson completed, a test
passed. Appended once per fact; a consumer reads them in id order."""

from __future__ import annotations

from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields


class LearningEvent(models.Model):
    class Kind(models.TextChoices):
        LESSON_COMPLETED = "lesson_completed", "完成课节学习"
        TEST_PASSED = "test_passed", "考试合格"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ref = models.CharField(max_length=64)  # the lesson's or the paper's id
    at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "学习事件"
        verbose_name_plural = "学习事件"
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "ref"], name="learning_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref}"
