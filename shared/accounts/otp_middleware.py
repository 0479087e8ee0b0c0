"""动态口令 first: a signed-in session that has not passed the second factor reaches
nothing but the code page, the binding page (and, before binding, the forced password
change), logout and login. Pages redirect there; the API answers 403 in Chinese.

Goes after ``django_otp.middleware.OTPMiddleware`` (``request.user.is_verified``) and
before ``PasswordChangeRequiredMiddleware``: a user with a device types the code before
anything else, the password change included; a user who must bind one changes a forced
password first, then binds.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from shared.accounts import otp
from zhdj.probes import PROBE_PATHS

API_VERIFY = "请先在网页登录并输入动态验证码后再使用。"
API_ENROL = "您的账号须绑定动态口令，请先登录网页完成绑定后再使用。"
EXEMPT_PREFIXES = (*PROBE_PATHS, "/ops/health/")
# A user known (in this session) to have no second factor and no duty to bind one.
FREE = "_zhdj_otp_free"


class OTPRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.files = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = self._check(request)
        return answer if answer is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        state = self._state(request)
        path = request.path_info
        if not state or path in (reverse("accounts:logout"), reverse("accounts:login")):
            return None
        if state == "verify":
            if path == reverse("accounts:otp_verify"):
                return None
            return self._send(request, "accounts:otp_verify", API_VERIFY)
        # state == "enrol"
        setup = reverse("accounts:otp_setup")
        if request.user.must_change_password:
            # The forced password change comes first (PasswordChangeRequiredMiddleware).
            return redirect(reverse("accounts:password_change")) if path == setup else None
        if path in (setup, reverse("accounts:password_change")):
            return None
        return self._send(request, "accounts:otp_setup", API_ENROL)

    def _state(self, request: HttpRequest) -> str:
        """``otp.pending`` for a signed-in session not yet verified, else ``""``."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return ""
        path = request.path_info
        if path.startswith(self.files) or path.startswith(EXEMPT_PREFIXES):
            return ""
        if request.session.get(FREE) == user.pk:
            return ""
        state = otp.pending(user)
        if not state:
            request.session[FREE] = user.pk
        return state

    @staticmethod
    def _send(request: HttpRequest, name: str, api_detail: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": api_detail}, status=403)
        target = reverse(name)
        if request.method == "GET" and request.path_info != "/":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
