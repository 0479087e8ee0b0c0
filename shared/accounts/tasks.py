"""Scheduled work on accounts: the security events' retention purge."""

from __future__ import annotations

from zhdj.celery import app


@app.task(name="shared.accounts.tasks.purge_security_events")
def purge_security_events() -> dict[str, int]:
    """Daily: delete the security events older than ``ZHDJ_AUDIT_RETENTION_DAYS`` (≥ 180)
    in public and every county schema."""
    from shared.accounts.security_log import purge_all

    return purge_all()
