"""What each post may do (职务权限), city defaults.

A user acts on the subtree of each organization where they hold a post, with the
permissions that post carries. The catalogue of permissions and the default grants per
post (党内职务 code) are seeded from ``data/post_permissions.json``; a county adds or
removes a grant in its own schema (``tenants.access.PostGrantOverride``).
"""

from __future__ import annotations

from django.db import models


class Permission(models.Model):
    """One thing a post may do (权限项), e.g. 维护党员信息, 办理党籍变动."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    note = models.CharField("说明", max_length=200, blank=True)
    needs_password = models.BooleanField(
        "需再次输入密码", default=False, help_text="status changes, approvals, full personal data"
    )
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "权限项"
        verbose_name_plural = "权限项"

    def __str__(self) -> str:
        return self.name


class PostGrant(models.Model):
    """A permission a post carries by default, city-wide (职务默认权限)."""

    post_code = models.CharField("职务", max_length=32)
    permission = models.CharField("权限项", max_length=32)

    class Meta:
        ordering = ["post_code", "permission"]
        verbose_name = "职务默认权限"
        verbose_name_plural = "职务默认权限"
        constraints = [
            models.UniqueConstraint(fields=["post_code", "permission"], name="one_post_grant")
        ]

    def __str__(self) -> str:
        return f"{self.post_code}: {self.permission}"
