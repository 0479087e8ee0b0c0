"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import User
from tenants.notifications.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
