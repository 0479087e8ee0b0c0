"""Whether a county was archived recently (区县备份), asked before it is offboarded.

Offboarding drops a county's schema and files for good, so it wants an archive made
recently (``ARCHIVE_MAX_AGE``, ``ZHDJ_OFFBOARD_ARCHIVE_MAX_HOURS``): the nightly one, or one
made on the ops page (备份与移交 → 立即备份) or by ``manage.py county_backup``. Without one,
offboarding asks the operator to confirm, with the extra box 我确认已另行备份, that the
county was backed up by other means.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from shared.customers.backup.archive import latest_archive_at as archived_at
from shared.customers.models import Tenant

# How old the newest archive may be for an offboarding to go ahead without the extra box.
ARCHIVE_MAX_AGE = timedelta(hours=settings.ZHDJ_OFFBOARD_ARCHIVE_MAX_HOURS)


def latest_archive_at(tenant: Tenant) -> datetime | None:
    """When the newest archive of ``tenant`` was made (``county_backup``: nightly, from the
    ops page 备份与移交, or the command line), or None if there is none."""
    return archived_at(tenant)


def archive_is_recent(tenant: Tenant, *, now: datetime | None = None) -> bool:
    made = latest_archive_at(tenant)
    return made is not None and (now or timezone.now()) - made <= ARCHIVE_MAX_AGE


def archive_hours() -> int:
    return int(ARCHIVE_MAX_AGE.total_seconds() // 3600)
