"""The dashboard's websocket: tells an open dashboard that new figures have landed.

On the city host (tenant None) only city and ops users join ``public.rollups``; on a
county host, users who manage organizations join ``<schema>.rollups``. Messages carry no
figures: the page fetches them from its own scoped data endpoint.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from shared.accounts.models import User
from shared.accounts.sockets import SessionBoundConsumer
from shared.rollups.live import CITY_GROUP, county_group
from shared.rollups.views import STATISTICS
from zhdj.tenancy.channels import tenant_db
from zhdj.web.access import resolve_scope

CITY_ROLES = frozenset({User.Role.CITY, User.Role.OPS})


class DashboardConsumer(SessionBoundConsumer, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        tenant = self.scope.get("tenant")
        if user is None or not user.is_authenticated:
            await self._refuse(4401)
            return
        if tenant is None:
            if user.role not in CITY_ROLES:
                await self._refuse(4403)
                return
            self.group = CITY_GROUP
        else:
            if not await self._manages():
                await self._refuse(4403)
                return
            self.group = county_group(tenant.schema_name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.session_bind()  # closed when the session ends (shared.accounts.sockets)
        await self.send_json({"type": "hello", "group": self.group})

    async def _refuse(self, code: int) -> None:
        # Accept, then close with a code, so the page knows not to reconnect.
        await self.accept()
        await self.close(code=code)

    @tenant_db
    def _manages(self) -> bool:
        request = SimpleNamespace(user=self.scope["user"])
        return bool(resolve_scope(request).has(STATISTICS))

    async def disconnect(self, code: int) -> None:
        await self.session_unbind()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def rollup_landed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "rollup", "county": event["county"], "at": event["at"]})
