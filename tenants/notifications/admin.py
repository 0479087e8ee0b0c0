from __future__ import annotations

from django.contrib import admin

from tenants.notifications.models import Notification
from zhdj.admin_scope import TenantOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(TenantOnlyAdmin):
    list_display = ("title", "recipient", "sender_name", "created_at", "read_at")
