"""The signed-in user's notifications: list and mark read."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.notifications.models import Notification
from tenants.notifications.selectors import notifications_for, unread_count
from tenants.notifications.services import notification_mark_read
from zhdj.api import TenantAPIMixin


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "title", "body", "url", "sender_name", "created_at", "read_at")


class NotificationViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        return notifications_for(self.request.user)

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        notification_mark_read(user=request.user, notification_id=notification.pk)
        return Response({"unread": unread_count(request.user)})

    @action(detail=False, methods=["get"])
    def unread(self, request: Request) -> Response:
        return Response({"unread": unread_count(request.user)})
