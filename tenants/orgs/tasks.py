"""Term-expiry reminders (换届提醒), per county, daily from beat."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.models import Post
from tenants.notifications.services import notification_send, reminder_claim
from tenants.orgs.models import Organization
from zhdj.tasks import tenant_task

OVERDUE_REPEAT_DAYS = 30


def term_reminders_due(today: date) -> list[tuple[Organization, int]]:
    """Organizations whose term ends in one of the configured numbers of days (or is
    overdue by a multiple of 30 days), with the days left (negative: overdue)."""
    offsets = set(settings.ZHDJ_TERM_REMINDER_DAYS)
    due = []
    for org in Organization.objects.filter(is_active=True, term_ends_at__isnull=False):
        left = (org.term_ends_at - today).days
        if left in offsets or (left < 0 and -left % OVERDUE_REPEAT_DAYS == 0):
            due.append((org, left))
    return due


def _term_body(org: Organization) -> str:
    term = f"本届任期 {org.term_started_at or '—'} 至 {org.term_ends_at}"
    return f"{term}，请按期做好换届工作。"


@tenant_task(name="tenants.orgs.tasks.remind_term_expiry")
def remind_term_expiry() -> int:
    """Notify the county administrators and the organization's post holders."""
    today = timezone.localdate()
    admins = list(User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True))
    sent = 0
    for org, left in term_reminders_due(today):
        holders = [
            p.member.user
            for p in Post.objects.filter(org=org, ended_at__isnull=True).select_related(
                "member__user"
            )
            if p.member.user is not None
        ]
        when = (
            f"将于 {left} 天后届满"
            if left > 0
            else ("今天届满" if left == 0 else f"已届满 {-left} 天")
        )
        with transaction.atomic():
            # Once per organization, term and reminder day: a redelivered task sends nothing.
            if not reminder_claim("orgs.term_expiry", org.pk, f"{org.term_ends_at}/{left}"):
                continue
            notification_send(
                recipients=admins + holders,
                title=f"换届提醒：{org.name}任期{when}",
                body=_term_body(org),
                url=f"/orgs/{org.pk}/",
                sender=None,
            )
        sent += 1
    return sent
