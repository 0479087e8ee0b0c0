"""Question bank and tests (题库与考试).

A ``Paper`` is fixed (its ``PaperQuestion`` rows) or drawn per member from tag quotas. An
``Attempt`` keeps the member's question order and each question's option order (shuffled
per member), the deadline the server enforces, and the answers as they are saved
(``AttemptAnswer``, in the options' original numbering). The correct answer stays on the
server until the attempt is submitted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields

MANAGE = "learning.manage"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTI = "multi", "多选题"
    JUDGE = "judge", "判断题"
    FILL = "fill", "填空题"


class Question(models.Model):
    """``options``: the choices' texts (单选, 多选; 判断 has 正确/错误). ``answer``: the
    indexes of the right options, or for 填空 one list of accepted texts per blank."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属组织"
    )
    kind = models.CharField("题型", max_length=8, choices=QuestionKind.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.JSONField("答案")
    explanation = models.TextField("解析", blank=True)
    tags = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name="标签"
    )
    difficulty = models.PositiveSmallIntegerField(
        "难度", choices=[(1, "易"), (2, "中"), (3, "难")], default=2
    )
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.stem[:40]


class Paper(models.Model):
    class Mode(models.TextChoices):
        FIXED = "fixed", "固定试卷"
        RANDOM = "random", "按标签随机抽题"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织"
    )
    title = models.CharField("考试名称", max_length=100)
    mode = models.CharField("组卷方式", max_length=8, choices=Mode.choices, default=Mode.FIXED)
    # Random papers: [{"tag": "党章", "kind": "single", "count": 5}, ...]
    quotas = models.JSONField("抽题规则", default=list, blank=True)
    # Points of one question of each kind: {"single": 2, "multi": 3, "judge": 1, "fill": 2}
    points = models.JSONField("每题分值", default=dict)
    time_limit_minutes = models.PositiveSmallIntegerField("限时（分钟）")
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    pass_percent = models.PositiveSmallIntegerField("合格线（%）")
    max_attempts = models.PositiveSmallIntegerField("可考次数")
    published = models.BooleanField("已发布", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "考试"
        verbose_name_plural = "考试"
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PaperQuestion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    sort = models.PositiveSmallIntegerField(default=0)

    scope_fields = ScopeFields(org="paper__org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="paper_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}:{self.question_id}"


class AttemptState(models.TextChoices):
    OPEN = "open", "作答中"
    SUBMITTED = "submitted", "已交卷"
    EXPIRED = "expired", "超时自动交卷"


class Attempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=AttemptState.choices)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    question_ids = ArrayField(models.BigIntegerField())
    # {question id: [original option index shown first, second, ...]}
    option_orders = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    total = models.DecimalField(max_digits=6, decimal_places=1)
    passed = models.BooleanField(null=True)

    scope_fields = ScopeFields(org="member__org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        constraints = [
            models.UniqueConstraint(fields=["paper", "member", "number"], name="attempt_number"),
            models.UniqueConstraint(
                fields=["paper", "member"],
                condition=models.Q(state="open"),
                name="one_open_attempt",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.paper_id} 第{self.number}次"


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    answer = models.JSONField()
    saved_at = models.DateTimeField()
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    correct = models.BooleanField(null=True)

    scope_fields = ScopeFields(org="attempt__member__org", own="attempt__member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"
