"""The notification bell's websocket: unread count pushed when it changes."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from shared.accounts.sockets import SessionBoundConsumer
from tenants.notifications.channels import user_group
from tenants.notifications.models import Notification
from tenants.notifications.selectors import unread_count
from zhdj.tenancy.channels import tenant_db


class NotificationConsumer(SessionBoundConsumer, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close with 4401, so the page knows not to reconnect.
            await self.accept()
            await self.close(code=4401)
            return
        self.group = user_group(self.scope["tenant"].schema_name, user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.session_bind()  # closed when the session ends (shared.accounts.sockets)
        await self.send_json(await self._state())

    async def disconnect(self, code: int) -> None:
        await self.session_unbind()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(await self._state())

    @tenant_db
    def _state(self) -> dict[str, Any]:
        user = self.scope["user"]
        latest = Notification.objects.filter(recipient=user).order_by("-created_at", "-id").first()
        return {
            "type": "notifications",
            "schema": self.scope["tenant"].schema_name,
            "unread": unread_count(user),
            "latest": (
                {"id": latest.pk, "title": latest.title, "sender": latest.sender_name}
                if latest is not None
                else None
            ),
        }
