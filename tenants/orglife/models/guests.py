"""Guests of a meeting (列席): members of another county of the city flowing into this
one (``flowing.Inflow``), who take part in the organizational life of the branch they
were assigned to. A guest is never on the roll (``roster``), never in the expected
count and never on a ballot's roll (``voting``): no vote, no right to elect or be
elected (domain-rules §8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from zhdj.audit import audited

MANAGE = "orglife.manage"


@audited
class MeetingGuest(models.Model):
    meeting = models.ForeignKey("orglife.Meeting", on_delete=models.CASCADE, related_name="guests")
    inflow = models.ForeignKey(
        "flowing.Inflow", on_delete=models.PROTECT, related_name="+", verbose_name="流入党员"
    )
    present = models.BooleanField("出席", default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(org="meeting__org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "列席人员"
        verbose_name_plural = "列席人员"
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "inflow"], name="orglife_one_guest")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.inflow_id}"
