"""Bad input answered in one place: NUL characters, and filters a view refused.

``QueryRefused`` raised by a view becomes the page of ``zhdj.web.query.refuse_query``, and
an API URL that matches no route answers a JSON 404 instead of the HTML page.

PostgreSQL stores no NUL (``\\x00``) in text or jsonb: a value carrying one that reached a
query or an INSERT was a 500 (``A string literal cannot contain NUL``), and Django's own
message for the forms that do check ("不允许是用空字符串。") misleads. No person types a NUL,
so one place refuses it in the query string, a form post or a JSON body: a JSON answer
``{"<name>": ["…"]}`` naming the parameter for the API (DRF views), the 400 page otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from zhdj.web.query import QueryRefused

NUL = "\x00"
API_PATHS = ("/api/", "/stats/api/")


def message(name: str) -> str:
    """For the API, whose clients know the parameters by name."""
    return f"“{name}”含有不可见的空字符（NUL），请删除后重试。"


# A page names no parameter: its names (``q``, ``title``) are code, not words a user reads.
PAGE_MESSAGE = "您提交的内容中含有不可见的空字符，无法查询或保存，请删除后重试。"


def _json_names(value: Any, name: str = "") -> Iterator[str]:
    """Names of the JSON members whose key or string value holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield name or "请求内容"
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield name or "请求内容"
            else:
                yield from _json_names(item, name or str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _json_names(item, name)


def nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first parameter carrying a NUL, else None."""
    for data in (request.GET, _form_data(request)):
        for key, values in data.lists():
            if NUL in key or any(NUL in v for v in values if isinstance(v, str)):
                return key.replace(NUL, "") or "参数"
    if request.method in ("POST", "PUT", "PATCH") and "json" in request.content_type:
        body = request.body
        if b"\\u0000" in body or b"\x00" in body:
            try:
                return next(_json_names(json.loads(body)), None)
            except ValueError:
                return "请求内容"
    return None


def _form_data(request: HttpRequest) -> QueryDict:
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return QueryDict()
    try:
        return request.POST
    except MultiPartParserError:
        return QueryDict()  # the view's own parsing answers a broken upload


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(API_PATHS)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # A URL no API route matches (``/api/transfers/abc/``): the API's clients read
            # JSON, not the site's HTML error page.
            return JsonResponse(
                {"detail": "未找到该记录。"}, status=404, json_dumps_params={"ensure_ascii": False}
            )
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith(API_PATHS)
        ):
            # An action address opened or refreshed in the browser (require_POST answers an
            # empty 405, which the browser shows as its own English error page).
            page = render(request, "errors/405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        name = nul_parameter(request)
        if name is None:
            return None
        if hasattr(view, "cls"):  # a DRF view: its clients read JSON
            return JsonResponse(
                {name: [message(name)]}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return render(request, "web/bad_input.html", {"message": PAGE_MESSAGE}, status=400)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, QueryRefused):
            return exc.response(request)
        return None
