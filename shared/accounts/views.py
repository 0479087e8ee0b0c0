"""Login and logout, the same on the city site and every county site; the password
lifecycle (change, forced change, reset by SMS code); the city's own accounts.

The user table consulted is the one in the host's schema: a county account cannot
sign in anywhere but on its county's host.
"""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shared.accounts import manage, otp, otp_views, reset, sessions
from shared.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PublicUserActionForm,
    PublicUserForm,
    ResetCodeForm,
    ResetRequestForm,
)
from shared.accounts.models import User
from shared.accounts.otp_views import own_account_page
from shared.accounts.services import password_change
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import CITY, OPEN, open_page, public_page
from zhdj.web.forms import add_errors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    zhdj_access = OPEN

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Without Django's ``site`` / ``site_name`` (the host and port, from the request):
        the page and the top bar name the county's organization department, as every page
        does (``zhdj.web.context.site``)."""
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        context["reset_available"] = reset.available()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        """The password is right: the session is signed in but not yet verified. A user
        with a device types its code next (动态验证码); a role that requires one without
        a device binds one (shared.accounts.otp_middleware sends them there)."""
        response = super().form_valid(form)
        self.request.session.pop(otp_views.FAILURES, None)
        user = form.get_user()
        step = otp.pending(user)
        if step == "enrol" and user.must_change_password:
            return response  # the forced password change first (its middleware)
        if step:
            target = reverse("accounts:otp_verify" if step == "verify" else "accounts:otp_setup")
            success = self.get_success_url()
            if success and success != "/":
                target += "?" + urlencode({"next": success})
            return redirect(target)
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); clears the session (等保: residual information)."""

    zhdj_access = OPEN


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@sensitive_post_parameters()
@never_cache
@own_account_page
def password_change_view(request: HttpRequest) -> HttpResponse:
    """修改密码. Also the page a user with an initial or temporary password is sent to
    (shared.accounts.middleware) until they set their own. The session stays; the user's
    other sessions end (their session hash no longer matches the password)."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = request.session.session_key
        try:
            password_change(
                user=user, new_password=form.cleaned_data["new_password1"], keep_session_key=key
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            sessions.rekeyed(key, request.session.session_key)
            request.session.pop(sessions.PASSWORD_EXPIRED, None)
            messages.success(request, "密码已修改。其他设备上的登录已退出。")
            return redirect(_next(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": user.must_change_password,
            "expired": request.session.get(sessions.PASSWORD_EXPIRED, False),
            "max_days": settings.ZHDJ_PASSWORD_MAX_AGE_DAYS,
            "next": _next(request),
        },
    )


RESET_USERNAME = "_zhdj_reset_username"
SENT_NOTICE = "如果用户名和手机号与登记信息一致，验证码已发送到该手机，10 分钟内有效。"


def _client_address(request: HttpRequest) -> str:
    from zhdj.web.client import client_ip  # from the right of X-Forwarded-For

    return client_ip(request) or "-"


@sensitive_post_parameters()
@never_cache
@open_page
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 1: login name and phone. The answer never says whether they match."""
    if not reset.available():
        return render(request, "accounts/password_reset_request.html", {"unavailable": True})
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        try:
            reset.reset_code_request(
                username=username,
                phone=form.cleaned_data["phone"],
                ip=_client_address(request),
            )
        except reset.Throttled:
            form.add_error(None, "操作过于频繁，请 1 小时后再试。")
        else:
            request.session[RESET_USERNAME] = username
            messages.info(request, SENT_NOTICE)
            return redirect("accounts:password_reset_code")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@sensitive_post_parameters()
@never_cache
@open_page
def password_reset_code(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 2: the code and the new password twice."""
    username = request.session.get(RESET_USERNAME)
    if not reset.available() or not username:
        return redirect("accounts:password_reset")
    probe = User.objects.filter(username=username).first()
    form = ResetCodeForm(request.POST or None, user=probe)
    if request.method == "POST" and form.is_valid():
        try:
            user = reset.reset_code_use(
                username=username,
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            if user is None:
                form.add_error("code", "验证码不正确或已失效，请重新获取。")
            else:
                request.session.pop(RESET_USERNAME, None)
                messages.success(request, "密码已重置，请用新密码登录。")
                return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_code.html", {"form": form, "username": username}
    )


# ------------------------------------------------------------------------------
# City and ops accounts on the city site (shared/accounts/manage.py says who may)
# ------------------------------------------------------------------------------
def account_admin_page(view):  # type: ignore[no-untyped-def]
    """A city-site page for ops users and city account administrators; 403 for others."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not manage.may_manage_accounts(request.user):
            raise PermissionDenied("您没有管理市级账号的权限。")
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied

    return public_page(CITY)(wrapper)


@never_cache
@account_admin_page
def public_user_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/public_users.html",
        {"users": manage.public_users(request.user), "actor": request.user},
    )


@sensitive_post_parameters()
@never_cache
@account_admin_page
def public_user_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = PublicUserForm(
        request.POST or None, roles=manage.manageable_roles(actor), may_flag=actor.is_ops
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = manage.public_user_create(
                actor=actor,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                manages_accounts=data.get("manages_accounts", False),
                password=data["password"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            # Shown once, in this answer only: never stored in clear, never in a redirect.
            return render(
                request,
                "accounts/public_user_password.html",
                {
                    "target": created.user,
                    "password": "" if data["password"] else created.password,
                    "created": True,
                },
            )
    return render(request, "accounts/public_user_form.html", {"form": form})


@require_POST
@sensitive_post_parameters()
@never_cache
@account_admin_page
def public_user_action(request: HttpRequest) -> HttpResponse:
    form = PublicUserActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求不完整，请重新操作。")
        return redirect("cityusers:list")
    target = get_object_or_404(User, pk=form.cleaned_data["user"], role__in=User.PUBLIC_ROLES)
    action = form.cleaned_data["action"]
    try:
        if action == "reset":
            password = manage.public_user_reset(actor=request.user, user=target)
            return render(
                request,
                "accounts/public_user_password.html",
                {"target": target, "password": password, "created": False},
            )
        manage.public_user_set_active(actor=request.user, user=target, active=action == "enable")
    except AccessDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        done = "启用" if action == "enable" else "停用"
        messages.success(request, f"已{done}“{target.full_name}”的账号。")
    return redirect("cityusers:list")
