"""The one error of backup and restore: a Chinese message for the operator."""

from __future__ import annotations

from zhdj.errors import ApplicationError


class BackupError(ApplicationError):
    """Backup or restore refused or failed; nothing was changed."""
