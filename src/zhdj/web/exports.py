"""Every file a user takes away is a security event (数据导出, 等保 level 3).

A view that answers with a download (an Excel export, a PDF report or record) is
decorated with ``exported("what")``: when it answers a file (status 200, an attachment),
one ``SecurityEvent`` EXPORT is written with the user, the client address, what was
exported, the file's name, and the filter in words if the view put them on the response
(``response.export_detail``). A test walks the URLconfs and fails on an
export address whose view does not carry the mark (tests/tenants/audit/test_three_roles.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote, unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from shared.accounts.events import Kind, record

View = Callable[..., HttpResponse]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILENAME = re.compile(r"filename\*=UTF-8''([^;]+)|filename=\"([^\"]+)\"", re.IGNORECASE)


def _filename(response: HttpResponse) -> str:
    header = response.get("Content-Disposition", "")
    found = _FILENAME.findall(header)
    # The UTF-8 name (the Chinese one) before the ASCII stand-in.
    names = [unquote(a) for a, _ in found if a] + [b for _, b in found if b]
    if not names:
        return ""
    # The format in words a reader knows (导出 Excel, PDF), not the file's extension.
    stem, dot, ext = names[0].rpartition(".")
    formats = {"xlsx": "Excel", "pdf": "PDF"}
    return f"{stem}（{formats[ext.lower()]}）" if dot and ext.lower() in formats else names[0]


def xlsx_download(body: bytes, *, name: str, chinese_name: str, detail: str) -> HttpResponse:
    """A workbook as an attachment named ``<name>-<minute>.xlsx`` (the Chinese name for
    browsers that read ``filename*``), never cached; ``detail`` is the filter in words for
    the EXPORT event of ``exported``."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{stamp}.xlsx"; '
        f"filename*=UTF-8''{quote(f'{chinese_name}-{stamp}.xlsx', safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    response.export_detail = detail  # type: ignore[attr-defined]
    return response


def is_download(response: HttpResponse) -> bool:
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")


def exported(what: str) -> Callable[[View], View]:
    """Record an EXPORT event whenever the view hands out a file."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if is_download(response):
                detail = f"文件：{_filename(response)}"
                said = getattr(response, "export_detail", "")  # the view's words for its filter
                record(
                    Kind.EXPORT,
                    request=request,
                    target=what,
                    detail=f"{detail}；{said}" if said else detail,
                )
            return response

        wrapper.zhdj_export = what  # type: ignore[attr-defined]
        return wrapper

    return decorate
