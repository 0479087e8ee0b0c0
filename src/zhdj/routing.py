"""Websocket routes. Every consumer runs behind TenantWebsocketMiddleware."""

from __future__ import annotations

from django.urls import path

from shared.rollups.consumers import DashboardConsumer
from tenants.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    # City host (city users) and county hosts (managers): see ZHDJ_PUBLIC_WEBSOCKET_PATHS.
    path("ws/dashboard/", DashboardConsumer.as_asgi()),
]
