"""动态口令 pages: the code after the password, binding a device, one's own status and
recovery codes, and the reset of another user's device by the security administrator
(county) or the ops team (city). The rules live in shared/accounts/otp.py."""

from __future__ import annotations

from functools import wraps
from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shared.accounts import otp
from shared.accounts.models import User
from shared.accounts.roles import Duty, roles_with
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import COUNTY, SCOPED, declared, public_page, scoped_page
from zhdj.web.forms import add_errors

FAILURES = "_zhdj_otp_failures"


def _next(request: HttpRequest) -> str:
    from shared.accounts.views import _next as next_of

    return next_of(request)


def own_account_page(view):  # type: ignore[no-untyped-def]
    """A page about the signed-in user's own login, on any site (city or county): the
    user's own things, no organization scope. (Here rather than in views.py, which imports
    this module; views.py and session_views.py use it from there.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return declared(COUNTY)(wrapper)


RESETTERS = roles_with(Duty.SECURITY_RESETS)


def reset_page(view):  # type: ignore[no-untyped-def]
    """For the security administrator (a county's or the city's) and the ops team (city):
    the same address on both sites, each site's page guard applies (as 登录锁定 does)."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not otp.may_reset(request.user):
            raise PermissionDenied("您没有重置动态口令的权限。")
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied

    @scoped_page(roles=RESETTERS)
    def county(request: HttpRequest, *args: Any, scope: Any, **kwargs: Any) -> HttpResponse:
        return guarded(request, *args, **kwargs)

    @public_page(RESETTERS)
    def city(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return guarded(request, *args, **kwargs)

    @wraps(view)
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        on_public = getattr(request, "tenant", None) is None
        return (city if on_public else county)(request, *args, **kwargs)

    # Declared as the stricter of the two guards (tests/zhdj/web/test_access_declared.py).
    return declared(SCOPED)(dispatch)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=32,
        error_messages={"required": "请输入动态验证码。", "max_length": "动态验证码过长。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "placeholder": "6 位数字或恢复码",
            }
        ),
        help_text="打开手机上的动态口令应用，输入显示的 6 位数字；手机不在身边时可输入一个恢复码。",
    )


class SetupForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=12,
        error_messages={"required": "请输入应用显示的 6 位数字。", "max_length": "验证码过长。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": "6 位数字",
            }
        ),
    )


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label="当前密码",
        strip=False,
        error_messages={"required": "请输入当前密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# ------------------------------------------------------------------------------
# After the password
# ------------------------------------------------------------------------------
@sensitive_post_parameters()
@never_cache
@own_account_page
def otp_verify(request: HttpRequest) -> HttpResponse:
    """动态验证码: the second step of the login."""
    user = request.user
    if user.is_verified() or not otp.has_device(user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp.check(user=user, code=form.cleaned_data["code"], request=request)
        if result.device is not None:
            request.session.pop(FAILURES, None)
            django_otp.login(request, otp.totp_device(user))
            if result.device.__class__.__name__ == "StaticDevice":
                left = otp.recovery_left(user)
                messages.warning(
                    request,
                    f"您使用了一个恢复码，还剩 {left} 个。请尽快在“动态口令”页面重新生成恢复码。",
                )
            return redirect(_next(request))
        failures = request.session.get(FAILURES, 0) + 1
        limit = settings.ZHDJ_OTP_MAX_FAILURES
        if failures >= limit:
            logout(request)  # a new, empty session: the password step again
            messages.error(request, f"动态验证码连续错误 {limit} 次，请重新输入用户名和密码。")
            return redirect("accounts:login")
        request.session[FAILURES] = failures
        if result.throttled_seconds:
            wait = result.throttled_seconds
            form.add_error(
                "code", f"尝试过于频繁，请 {wait} 秒后再试（还可尝试 {limit - failures} 次）。"
            )
        else:
            form.add_error("code", f"动态验证码不正确，还可尝试 {limit - failures} 次。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@sensitive_post_parameters()
@never_cache
@own_account_page
def otp_setup(request: HttpRequest) -> HttpResponse:
    """绑定动态口令: the QR code and the secret, confirmed with a code; then the recovery
    codes, shown once in this answer."""
    user = request.user
    device = otp.setup_device(user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.setup_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            request.session.pop(FAILURES, None)
            django_otp.login(request, device)
            return render(
                request,
                "accounts/otp_codes.html",
                {"codes": codes, "next": _next(request), "bound": True},
            )
    uri = otp.provisioning_uri(device, request.get_host())
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": otp.qr_svg(uri),
            "secret": otp.secret_groups(device),
            "uri": uri,
            "rebind": otp.has_device(user),
            "required": otp.required(user),
            "next": _next(request),
        },
    )


# ------------------------------------------------------------------------------
# One's own status
# ------------------------------------------------------------------------------
@sensitive_post_parameters()
@never_cache
@own_account_page
def otp_manage(request: HttpRequest) -> HttpResponse:
    """动态口令: on or off, recovery codes left, new recovery codes (password asked)."""
    user = request.user
    form = PasswordAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.recovery_regenerate(
                user=user, password=form.cleaned_data["password"], request=request
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            return render(
                request,
                "accounts/otp_codes.html",
                {"codes": codes, "next": "", "bound": False},
            )
    device = otp.totp_device(user)
    return render(
        request,
        "accounts/otp_manage.html",
        {
            "form": form,
            "device": device,
            "required": otp.required(user),
            "left": otp.recovery_left(user) if device else 0,
            "may_reset": otp.may_reset(user),
        },
    )


# ------------------------------------------------------------------------------
# Reset another user's device
# ------------------------------------------------------------------------------
RESET_LIMIT = 50


@never_cache
@reset_page
def otp_reset_list(request: HttpRequest) -> HttpResponse:
    """重置动态口令: the site's users who have one (or whose role requires one); a search
    finds anyone else by user name or name."""
    q = (request.GET.get("q") or "").strip()[:64]
    users = otp.resettable_users(request.user)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    else:
        users = users.filter(Q(otp_on=True) | Q(role__in=User.OTP_ROLES))
    return render(
        request,
        "accounts/otp_reset.html",
        {"users": users[:RESET_LIMIT], "q": q, "limit": RESET_LIMIT},
    )


@never_cache
@reset_page
def otp_reset_confirm(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(otp.resettable_users(request.user), pk=user_id)
    return render(request, "accounts/otp_reset_confirm.html", {"target": target})


@require_POST
@never_cache
@reset_page
def otp_reset_do(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(otp.resettable_users(request.user), pk=user_id)
    try:
        otp.reset(actor=request.user, target=target, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已重置“{target.full_name}”的动态口令，对方下次登录时须重新绑定。"
        )
    return redirect("accounts:otp_reset")
