"""The public letter verification page (介绍信核验): opened from the letter's QR code.

No login. Shows validity and state, the issuing and receiving organizations and a masked
name; never an ID number, phone or full name (PIPL minimisation).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shared.interchange.selectors import letter_status
from zhdj.web.access import open_page


@open_page
@never_cache
def letter_verify(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "tenant", None) is not None:
        raise Http404("页面不存在")
    status = letter_status(token)
    if status is None:
        raise Http404("未找到该介绍信或活动证")
    return render(request, "interchange/verify.html", {"letter": status})
