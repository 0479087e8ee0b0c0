"""API base: one exception handler, and the base classes every endpoint inherits."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers, serializers, status
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Throttled,
)
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhdj.errors import AccessDenied, ApplicationError, messages_of
from zhdj.web.access import resolve_scope
from zhdj.web.errors import record_denial


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _exception_response(exc, context)
    if response is not None and response.status_code == 403:
        _record_denial(exc, context.get("request"), response)
    return response


def _exception_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, AccessDenied):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ApplicationError | ValidationError):
        return Response({"errors": messages_of(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404) and not _chinese(str(exc)):
        # get_object_or_404 says "No Member matches the given query." whatever the language.
        exc = NotFound("未找到该记录。")
    if isinstance(exc, Throttled):  # DRF's own text is English ("Request was throttled.")
        wait = math.ceil(exc.wait) if exc.wait is not None else None
        text = f"请求过于频繁，请 {wait} 秒后再试。" if wait else "请求过于频繁，请稍后再试。"
        headers = {"Retry-After": str(wait)} if wait else {}
        return Response({"detail": text}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
    return drf_exception_handler(exc, context)


def _record_denial(exc: Exception, request: Any, response: Response) -> None:
    """Every refusal answered 403 by the API is a security event (DENIED); not a missing
    login (the login is the answer) and not a stale CSRF token (no access was asked)."""
    if request is None or isinstance(exc, NotAuthenticated | AuthenticationFailed):
        return
    data = response.data
    detail = str(data.get("detail", "")) if isinstance(data, dict) else ""
    if isinstance(exc, PermissionDenied) and "CSRF" in detail:
        return
    record_denial(getattr(request, "_request", request), detail)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# PostgreSQL's bigint: a larger id can only be a tampered value (see zhdj.web.query).
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row id in a query string or body: a positive integer within bigint."""

    default_error_messages = {
        "invalid": "应为正整数编号。",
        "min_value": "应为正整数编号。",
        "max_value": "编号超出范围。",
        "max_string_length": "编号超出范围。",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def query_params(request: Request, serializer_class: type[serializers.Serializer]) -> dict:
    """The query string's filters, validated: a refused one is a 400 ``{"name": ["…"]}``,
    never a silently dropped filter (which would answer for the whole scope). Declare the
    same serializer with ``extend_schema(parameters=[…])`` so the schema lists them."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


_REQUIRED = object()


def json_bool(data: Any, key: str, default: Any = _REQUIRED) -> bool:
    """A JSON true or false only: a string such as "false" (or null) is refused, never read
    as true; an absent key takes ``default`` when one is given."""
    value = _field(data, key, default)
    if not isinstance(value, bool):
        raise ApplicationError("应为 true 或 false（JSON 布尔值，不加引号）。", field=key)
    return value


def json_int(data: Any, key: str, default: Any = _REQUIRED, *, minimum: int = 0) -> Any:
    """A whole number (JSON number or digits in a query string) from ``minimum`` up to
    2³¹ − 1; true/false and fractions are refused rather than read as 1 or cut. An absent,
    null or empty value takes ``default`` when one is given."""
    value = _field(data, key, default)
    if value in (None, "") and default is not _REQUIRED:
        return default
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApplicationError("应为整数。", field=key)
    if not minimum <= value < 2**31:
        raise ApplicationError(f"应为 {minimum} 以上的整数。", field=key)
    return value


def _field(data: Any, key: str, default: Any) -> Any:
    if not hasattr(data, "get"):
        raise ApplicationError("请求体应为一个对象。")
    value = data.get(key, default)
    if value is _REQUIRED:
        raise ApplicationError("此项不能为空。", field=key)
    return value


class IsTenantUser(BasePermission):
    """The request is on a county host and the user belongs to that county's schema."""

    message = "请在本区县站点登录后访问。"

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return (
            getattr(request, "tenant", None) is not None
            and connection.schema_name == request.tenant.schema_name
        )


class TenantAPIMixin:
    """Every county endpoint inherits this: authenticated, in the host's schema, with the
    user's organization scope resolved before the handler runs (``self.scope``), the way
    Sentry's organization endpoints hand the organization over. An endpoint never
    computes the scope itself.

    ``required_permission``: the endpoint needs the user to hold that permission over some
    organization (else 403); finer checks (over which organization) are the services'.
    Subclasses implement ``get_scoped_queryset()``; object lookups outside it are 404s.
    """

    permission_classes = (IsAuthenticated, IsTenantUser)
    required_permission: str | None = None
    scope: Any  # tenants.access.scope.Scope

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.scope = resolve_scope(request)
        if self.required_permission and not self.scope.has(self.required_permission):
            raise AccessDenied("您的职务无权使用此功能。")

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no user, no scope
            return self.get_serializer_class().Meta.model.objects.none()
        return self.get_scoped_queryset()

    def get_scoped_queryset(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError


class APIRootView(routers.APIRootView):
    """The router's index of endpoints: for the county's logged-in users."""

    permission_classes = (IsAuthenticated, IsTenantUser)
    zhdj_access = "county"


class APISchemaView(SpectacularAPIView):
    """The machine-readable description of the county API, open like the API's own
    documentation (it names no county data)."""

    zhdj_access = "open"

    def finalize_response(self, request, response, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Errors (an unknown ``?format=``) answer JSON like every other endpoint, not a
        body labelled as an OpenAPI document."""
        if response.status_code >= 400 and isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class APIDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start script served as a file of its own (``?script``): no inline
    script, so the page runs under the platform's Content Security Policy."""

    zhdj_access = "open"


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = "服务暂不可用。"


__all__ = [
    "IdField",
    "NotFound",
    "ServiceUnavailable",
    "TenantAPIMixin",
    "exception_handler",
    "query_params",
]


_ERRORS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ERROR_RESPONSES = {
    "400": ("请求参数有误：按字段列出的中文说明", {"oneOf": [_ERRORS, _DETAIL]}),
    "403": ("未登录、无权操作或请求校验失败", _DETAIL),
    "404": ("记录不存在或不在您的范围内", _DETAIL),
}


def document_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation may answer the errors above.

    drf-spectacular documents only the success status; a client (and the schema-driven
    fuzz test, tests/zhdj/test_api_fuzz.py) must be able to tell a documented refusal
    from an undocumented one.
    """
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result
