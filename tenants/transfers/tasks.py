"""Transfer tasks (domain-rules §3), run per county by the beat fan-out, all idempotent:
receipts not back within the deadline (回执逾期, a letter reminded at most once a week),
组织关系保留 near its end (once per retention), and envelopes this county sent that were
not accepted within their validity (expired once; ``services/expiry.py``); and the steps of
a cross-county acceptance, each run in the county whose schema it writes
(``services/envelope_steps.py``)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shared.accounts.models import User
from tenants.notifications.services import notification_send, reminder_claim
from tenants.rules.selectors import rule_value
from tenants.transfers.models import Retention
from tenants.transfers.selectors import late_receipts
from tenants.transfers.services.envelope_steps import (
    SOURCE_STEP_TASK,
    TARGET_STEP_TASK,
    envelope_source_step,
    envelope_target_step,
    envelopes_resume,
)
from tenants.transfers.services.expiry import envelopes_expire
from zhdj.tasks import tenant_task

REMIND_EVERY_DAYS = 7


def _admins() -> list[User]:
    return list(User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True))


@tenant_task(name="tenants.transfers.tasks.remind_late_receipts")
def remind_late_receipts() -> int:
    today = timezone.localdate()
    letters = list(
        late_receipts(today=today).filter(
            Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - timedelta(REMIND_EVERY_DAYS))
        )
    )
    admins = _admins()
    for letter in letters:
        # The claim, the notification and the reminded date commit together: a redelivered
        # task finds the day's claim and sends nothing twice.
        with transaction.atomic():
            if not reminder_claim("transfers.late_receipt", letter.pk, today):
                continue
            if admins:
                notification_send(
                    recipients=admins,
                    title=f"介绍信{letter.serial}回执逾期未返回",
                    body=f"{letter.name}转往{letter.to_name}，开具于{letter.issued_on:%Y-%m-%d}。",
                    url=f"/transfers/{letter.transfer_id}/",
                    sender=None,
                )
            type(letter).objects.filter(pk=letter.pk).update(reminded_on=today)
    return len(letters)


@tenant_task(name="tenants.transfers.tasks.remind_retention_expiry")
def remind_retention_expiry() -> int:
    today = timezone.localdate()
    horizon = today + timedelta(days=rule_value("transfers.retention_remind_days"))
    due = list(
        Retention.objects.filter(
            ended_on__isnull=True, reminded_on__isnull=True, ends_on__lte=horizon
        ).select_related("member")
    )
    admins = _admins()
    for r in due:
        recipients = admins + ([r.member.user] if r.member.user_id else [])
        with transaction.atomic():  # once per retention and end date, even if redelivered
            if not reminder_claim("transfers.retention", r.pk, r.ends_on):
                continue
            if recipients:
                notification_send(
                    recipients=recipients,
                    title=f"{r.member.name}的组织关系保留将于{r.ends_on:%Y-%m-%d}期满",
                    body="请及时落实工作单位并转接组织关系。",
                    url="/transfers/?tab=retentions",
                    sender=None,
                )
            Retention.objects.filter(pk=r.pk).update(reminded_on=today)
    return len(due)


@tenant_task(name="tenants.transfers.tasks.expire_envelopes")
def expire_envelopes() -> int:
    """Expire this county's envelopes past their validity; the number expired."""
    return envelopes_expire()


@tenant_task(name=SOURCE_STEP_TASK)
def source_step(envelope_id: str) -> bool:
    """The sending county's step of an acceptance or a return (idempotent)."""
    return envelope_source_step(UUID(envelope_id))


@tenant_task(name=TARGET_STEP_TASK)
def target_step(envelope_id: str) -> int | None:
    """The receiving county's last step of an acceptance (idempotent)."""
    transfer = envelope_target_step(UUID(envelope_id))
    return transfer.pk if transfer else None


@tenant_task(name="tenants.transfers.tasks.resume_envelopes")
def resume_envelopes() -> int:
    """Steps whose hand-off was lost (a crash between commit and send, a broker outage)."""
    return envelopes_resume()
