"""Sending and reading notifications. Pushes go out after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.notifications.channels import user_group
from tenants.notifications.models import Notification
from tenants.notifications.selectors import notice_recipients, unread_count
from zhdj.errors import AccessDenied, ApplicationError

MAX_TITLE = 100
logger = logging.getLogger(__name__)


def _push(schema_name: str, user_ids: list[int]) -> None:
    """Runs after commit: the notifications are saved; a push that fails (Redis down) is
    logged, never raised (the bell catches up on its next count)."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        for user_id in user_ids:
            async_to_sync(layer.group_send)(
                user_group(schema_name, user_id),
                {"type": "notification.changed", "user_id": user_id},
            )
    except Exception:
        logger.warning("notification push failed (saved, not pushed): %s", schema_name)


@transaction.atomic
def notification_send(
    *, recipients: Iterable[User], title: str, body: str = "", url: str = "", sender: User | None
) -> list[Notification]:
    """One notification per recipient; each recipient's bell updates after commit."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError("请填写通知标题。", field="title")
    if len(title) > MAX_TITLE:
        raise ApplicationError(f"通知标题不能超过 {MAX_TITLE} 个字。", field="title")
    people = list({u.pk: u for u in recipients}.values())
    if not people:
        raise ApplicationError("请至少选择一位接收人。", field="recipients")
    sender_name = sender.full_name if sender is not None else "系统"
    created = Notification.objects.bulk_create(
        Notification(recipient=u, title=title, body=body, url=url, sender_name=sender_name)
        for u in people
    )
    schema = connection.schema_name
    ids = [u.pk for u in people]
    transaction.on_commit(lambda: _push(schema, ids))
    return created


@transaction.atomic
def notice_publish(
    *, scope: Scope, recipients: Iterable[User], title: str, body: str = "", sender: User | None
) -> list[Notification]:
    """A notice composed by a person (发布通知): only to users within their reach
    (``notice_recipients``); the platform's own messages use ``notification_send``."""
    scope.require(Perm.NOTICES_PUBLISH, message="您没有发布通知的权限。")
    people = list({u.pk: u for u in recipients}.values())
    if not scope.is_admin and people:
        allowed = set(
            notice_recipients(scope)
            .filter(pk__in=[u.pk for u in people])
            .values_list("pk", flat=True)
        )
        if any(u.pk not in allowed for u in people):
            raise AccessDenied("只能向本人所在组织及下级组织的党员发送通知。")
    return notification_send(recipients=people, title=title, body=body, sender=sender)


def reminder_claim(kind: str, target: object, period: object) -> bool:
    """Claim the reminder (kind, target, period) for this transaction: True the first time,
    False if it was already sent (then send nothing). Call it inside the transaction that
    writes the reminder's notifications, so that both commit or neither does."""
    from django.db import IntegrityError

    from tenants.notifications.models import ReminderSent

    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, target=str(target), period=str(period))
    except IntegrityError:
        return False
    return True


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or all) of ``user``'s notifications read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    schema = connection.schema_name
    if changed:
        transaction.on_commit(lambda: _push(schema, [user.pk]))
    return changed


def notification_purge_read(*, older_than_days: int) -> int:
    """Delete read notifications older than the retention (residual information)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


__all__ = [
    "notice_publish",
    "notification_mark_read",
    "notification_purge_read",
    "notification_send",
    "reminder_claim",
    "unread_count",
]
