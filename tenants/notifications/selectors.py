"""Reads of a user's notifications, and who a notice may go to."""

from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.querysets import path_q
from tenants.access.scope import Scope
from tenants.notifications.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notice_recipients(scope: Scope) -> QuerySet[User]:
    """Who the user may send a notice to (发布通知): the county administrator anyone active
    in the county; a post carrying notices.publish (书记, 宣传委员 …) the active logins of
    the members of its subtrees. Found through the member record behind the login (a
    reverse relation on User), so this app needs neither members nor orgs."""
    users = User.objects.filter(is_active=True)
    if scope.is_admin:
        return users
    paths = scope.paths(Perm.NOTICES_PUBLISH)
    if not paths:
        return users.none()
    return users.filter(path_q(paths, prefix="member__org__"), member__org__is_active=True)
