"""Posts (党内职务) and the county's own adjustments of what a post may do.

Holding an active post gives a user the subtree of the post's organization, with the
permissions of that post (``shared.standards.PostGrant``, adjusted by
``PostGrantOverride``). Both refer to members and organizations by model label only:
this layer sits below them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from zhdj.audit import audited


@audited
class Post(models.Model):
    """A post held in an organization (党内职务): 书记, 组织委员, 党小组长 …, with its
    dates; ended posts stay as the history of who held what (任职经历)."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="posts", verbose_name="组织"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="posts", verbose_name="党员"
    )
    post_code = models.CharField("职务", max_length=32)
    started_at = models.DateField("任职日期")
    ended_at = models.DateField("免职日期", null=True, blank=True)
    end_reason = models.CharField("免职原因", max_length=100, blank=True)

    scope_fields = ScopeFields(org="org", own="member")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党内职务"
        verbose_name_plural = "党内职务"
        ordering = ["org_id", "ended_at", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "member", "post_code"],
                condition=Q(ended_at__isnull=True),
                name="access_one_active_post",
            )
        ]
        indexes = [
            models.Index(
                fields=["member"], condition=Q(ended_at__isnull=True), name="access_post_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.post_code} {self.member}"


@audited
class PostGrantOverride(models.Model):
    """This county's change to a post's default permissions (职务权限调整): ``granted``
    adds a permission the city default lacks, or (false) takes one away."""

    post_code = models.CharField("职务", max_length=32)
    permission = models.CharField("权限项", max_length=32)
    granted = models.BooleanField("授予")
    reason = models.CharField("调整依据", max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人"
    )
    updated_at = models.DateTimeField("调整时间", auto_now=True)

    class Meta:
        verbose_name = "职务权限调整"
        verbose_name_plural = "职务权限调整"
        constraints = [
            models.UniqueConstraint(
                fields=["post_code", "permission"], name="access_one_grant_override"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post_code} {self.permission} {'+' if self.granted else '-'}"
