"""Websocket routes. Every consumer runs behind TenantWebsocketMiddleware."""

from __future__ import annotations

from django.urls import path

from tenants.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
