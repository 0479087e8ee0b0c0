"""A county's own value for a configurable rule (规则参数调整).

The city default is ``shared.standards.RuleParameter``; an override row here replaces
it for this county only, within the parameter's bounds. Audited: who changed which
rule, when, from what to what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhdj.audit import audited


@audited
class RuleOverride(models.Model):
    key = models.CharField("键", max_length=64, unique=True)
    value = models.JSONField("本县取值")
    reason = models.CharField("调整依据", max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人"
    )
    updated_at = models.DateTimeField("调整时间", auto_now=True)

    class Meta:
        verbose_name = "规则参数调整"
        verbose_name_plural = "规则参数调整"

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
