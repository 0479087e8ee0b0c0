"""One error type for rule violations, spoken to people in Chinese (CONVENTIONS §5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A request the rules refuse. ``field`` names the form field or Excel column."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class AccessDenied(ApplicationError):
    """The user's scope does not allow this (权限不足): pages answer 403, the API too."""


def messages_of(error: ValidationError | ApplicationError) -> dict[str, list[str]]:
    """Errors by field (``__all__`` when none), for forms, pages and the API."""
    if isinstance(error, ApplicationError):
        return error.extra.get("errors") or {error.field or "__all__": [error.message]}
    if hasattr(error, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
    return {"__all__": list(error.messages)}
