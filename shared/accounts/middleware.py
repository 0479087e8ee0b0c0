"""The forced password change (首次登录须修改密码).

A user whose password was chosen by someone else (an initial password, an administrator's
reset: ``User.must_change_password``) is sent to the change-password page on every page
request until they set their own, on the city site and on every county site. The API
answers 403 with a Chinese detail instead. Left alone: static and media files, the
change-password page itself, logout and login, the health checks.

Goes after ``AuthenticationMiddleware`` (it reads ``request.user``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhdj.probes import PROBE_PATHS

API_DETAIL = "您的密码是初始密码或临时密码，请先登录网页修改密码后再使用。"
EXEMPT_NAMES = (
    "accounts:password_change",
    "accounts:logout",
    "accounts:login",
    "accounts:otp_verify",  # the second factor comes before the change (otp_middleware)
)
EXEMPT_PREFIXES = (*PROBE_PATHS, "/ops/health/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.files = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            path = request.path_info
            if not self._exempt(path):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": API_DETAIL}, status=403)
                target = reverse("accounts:password_change")
                if request.method == "GET" and path != "/":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        if path.startswith(self.files) or path.startswith(EXEMPT_PREFIXES):
            return True
        return path in {reverse(name) for name in EXEMPT_NAMES}
