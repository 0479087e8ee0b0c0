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
