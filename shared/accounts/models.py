"""Accounts (账号). The same table exists in public and in every county schema.

City and ops users live in public; a county's users live in its own schema. A user
row therefore never spans two counties, and a session stored in one schema means
nothing in another.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone


class User(AbstractBaseUser, PermissionsMixin):
    """A login. ``role`` is the coarse kind; fine-grained scope comes from posts (职务)."""

    class Role(models.TextChoices):
        OPS = "ops", "运维人员"
        CITY = "city", "市委组织部"
        COUNTY_ADMIN = "county_admin", "区县管理员"
        ORG_STAFF = "org_staff", "党组织工作人员"
        MEMBER = "member", "党员"
        APPLICANT = "applicant", "入党申请人"

    PUBLIC_ROLES = frozenset({Role.OPS, Role.CITY})

    username = models.CharField(
        "用户名", max_length=64, unique=True, validators=[UnicodeUsernameValidator()]
    )
    full_name = models.CharField("姓名", max_length=64)
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_staff = models.BooleanField("可进入管理后台", default=False)
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)
    # An initial or reset password (issued by an administrator, sent by SMS or printed)
    # must be replaced by the user's own at the next login.
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # City site only: a 市委组织部 user who may manage the city's accounts (账号管理员).
    # Ops users manage city and ops accounts; other city users none (shared/accounts/manage.py).
    manages_accounts = models.BooleanField("账号管理员", default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def is_ops(self) -> bool:
        return self.role == self.Role.OPS

    @property
    def is_city(self) -> bool:
        return self.role == self.Role.CITY

    @property
    def is_county_admin(self) -> bool:
        return self.role == self.Role.COUNTY_ADMIN
