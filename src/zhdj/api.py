"""API base: one exception handler, and the base classes every endpoint inherits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhdj.errors import ApplicationError, messages_of


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError | ValidationError):
        return Response({"errors": messages_of(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class IsTenantUser(BasePermission):
    """The request is on a county host and the user belongs to that county's schema."""

    message = "请在本区县站点登录后访问。"

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return (
            getattr(request, "tenant", None) is not None
            and connection.schema_name == request.tenant.schema_name
        )


class TenantAPIMixin:
    """Every county endpoint inherits this: authenticated, in the host's schema.

    Subclasses implement ``get_scoped_queryset()``; object lookups outside it are 404s.
    """

    permission_classes = (IsAuthenticated, IsTenantUser)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no user, no scope
            return self.get_serializer_class().Meta.model.objects.none()
        return self.get_scoped_queryset()

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = "服务暂不可用。"


__all__ = ["NotFound", "ServiceUnavailable", "TenantAPIMixin", "exception_handler"]
