"""Password complexity required by 等保 2.0 (GB/T 22239-2019) §8.1.4.1.

ASVS discourages composition rules; 等保 requires them, and our users are bound by
等保. Documented in docs/security.md.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", set(string.ascii_lowercase)),
    ("大写字母", set(string.ascii_uppercase)),
    ("数字", set(string.digits)),
    ("符号", set(string.punctuation)),
)


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object | None = None) -> None:
        present = sum(1 for _, chars in CLASSES if chars & set(password))
        if present < self.min_classes:
            raise ValidationError(
                f"密码至少要包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码至少包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类。"


class PasswordHistoryValidator:
    """None of the user's last ``count`` passwords again (等保 2.0 §8.1.4.1 password
    management). Django calls ``password_changed`` after every save of a new password
    (``AbstractBaseUser.save``): the new hash is kept there, the older ones trimmed."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def _hashes(self, user: object) -> list[str]:
        from shared.accounts.models import PasswordHistory

        pk = getattr(user, "pk", None)
        if pk is None:
            return []
        hashes = list(
            PasswordHistory.objects.filter(user_id=pk).values_list("password", flat=True)[
                : self.count
            ]
        )
        current = getattr(user, "password", "")
        if current and current not in hashes:
            hashes.insert(0, current)  # a password set before the history existed
        return hashes[: self.count]

    def validate(self, password: str, user: object | None = None) -> None:
        from django.contrib.auth.hashers import check_password

        current = getattr(user, "password", "")
        for encoded in self._hashes(user):
            if check_password(password, encoded):
                if encoded == current:
                    raise ValidationError("新密码不能与当前密码相同。", code="password_reused")
                raise ValidationError(
                    f"新密码不能与最近 {self.count} 次使用过的密码相同。",
                    code="password_reused",
                )

    def password_changed(self, password: str, user: object | None = None) -> None:
        from django.utils import timezone

        from shared.accounts.models import PasswordHistory, User

        pk = getattr(user, "pk", None)
        encoded = getattr(user, "password", "")
        if pk is None or not encoded:
            return
        PasswordHistory.objects.create(user_id=pk, password=encoded)
        keep = PasswordHistory.objects.filter(user_id=pk).values_list("pk", flat=True)[: self.count]
        PasswordHistory.objects.filter(user_id=pk).exclude(pk__in=list(keep)).delete()
        if getattr(user, "password_changed_at", None) is None:
            # A new login: its password's age counts from now (expiry, ZHDJ_PASSWORD_MAX_AGE_DAYS).
            now = timezone.now()
            User.objects.filter(pk=pk).update(password_changed_at=now)
            user.password_changed_at = now  # type: ignore[attr-defined]

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self.count} 次使用过的密码相同。"
