"""The audit policy in one place: trigger-based history of every insert, update and
delete (django-pghistory), in an append-only event table."""

from __future__ import annotations

from typing import TypeVar

import pghistory
from django.db import models

M = TypeVar("M", bound=type[models.Model])


def audited(model: M) -> M:
    """Track ``model``. Trackers are created per model: pghistory binds them to it."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
    )(model)
