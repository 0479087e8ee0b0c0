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
        # 三员分立 (等保 level 3): beside the system administrators (区县管理员 in a county,
        # 运维人员 for the platform), a security administrator who sets permissions and
        # security policy and an auditor who reads and exports the logs and administers
        # nothing. Both exist in public (city level) and in each county.
        SECURITY_ADMIN = "security_admin", "安全管理员"
        AUDITOR = "auditor", "审计管理员"

    PUBLIC_ROLES = frozenset({Role.OPS, Role.CITY, Role.SECURITY_ADMIN, Role.AUDITOR})
    COUNTY_ROLES = frozenset(set(Role) - {Role.OPS, Role.CITY})
    # Roles that sign in with a second factor (TOTP): whoever administers or audits.
    OTP_ROLES = frozenset(
        {Role.OPS, Role.CITY, Role.COUNTY_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
    )

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

    @property
    def is_security_admin(self) -> bool:
        return self.role == self.Role.SECURITY_ADMIN

    @property
    def is_auditor(self) -> bool:
        return self.role == self.Role.AUDITOR


class SecurityEvent(models.Model):
    """One security-relevant act (安全审计): a login, a failed login, a lockout, a denial, an
    export, a reveal of personal data, a permission or account change.

    The same table exists in public (city and ops users) and in every county schema, like
    the users it names. Rows are written once through ``shared.accounts.events.record`` and
    never changed: a database trigger refuses UPDATE and DELETE (migration 0005), for
    every role that connects, and the retention purge is the one exception it allows
    (rows older than ``ZHDJ_AUDIT_RETENTION_DAYS``, at least 180 days).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出登录"
        SESSION_ENDED = "session_ended", "会话结束"
        OTP = "otp", "双因素认证"
        PASSWORD = "password", "密码变更"
        DENIED = "denied", "越权访问被拒"
        EXPORT = "export", "数据导出"
        REVEAL = "reveal", "查看完整个人信息"
        PERMISSION = "permission", "权限变更"
        ACCOUNT = "account", "账号变更"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=16, choices=Kind.choices, db_index=True)
    # The user is kept by id and by name at the time: a user may later be renamed, and an
    # event written on behalf of another county names a user of that county.
    user_id = models.BigIntegerField("用户编号", null=True, blank=True)
    username = models.CharField("用户名", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    path = models.CharField("地址", max_length=300, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    ok = models.BooleanField("成功", default=True)

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="accounts_sec_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class UserSession(models.Model):
    """One signed-in session (登录设备), listed to its user, who may end it.

    Written at login (``shared.accounts.sessions``), its ``last_activity`` refreshed with
    the session's sliding expiry, at most once a minute and only by real activity
    (``zhdj.web.sessions``). The session key is kept only as its SHA-256: this table never
    holds a usable key.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="login_sessions", verbose_name="用户"
    )
    key_hash = models.CharField("会话标识摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_activity = models.DateTimeField("最近活动", default=timezone.now)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    device = models.CharField("设备", max_length=64, blank=True)

    class Meta:
        verbose_name = "登录设备"
        verbose_name_plural = "登录设备"
        ordering = ["-last_activity", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.device} {self.created_at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (等保: a password may not be reused)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name="用户"
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
