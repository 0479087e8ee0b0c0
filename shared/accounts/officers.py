"""The counties' security administrators and auditors (区县三员账号), created by the ops team.

三员分立: the county administrator must not create (or reset, or disable) the accounts of
the people who audit them and set their security policy, so these two roles of every
county are the platform's system administrator's to issue — on the city site, into the
county's own schema (the account lives beside the county's users). The county
administrator's own account is created by ops onboarding. Every act is a security event
both in public (the ops user's site) and in the county (its auditor sees who made
accounts there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_tenants.utils import get_tenant_model, schema_context

from shared.accounts.events import Kind, record
from shared.accounts.manage import Created
from shared.accounts.models import SecurityEvent, User
from shared.accounts.roles import OFFICER_ROLES, Duty, has_duty, roles_with
from shared.accounts.services import (
    password_reset_temporary,
    password_temporary,
    user_create,
    user_set_active,
)
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import public_page
from zhdj.web.forms import add_errors

ROLE_CHOICES = [(r.value, r.label) for r in (User.Role.SECURITY_ADMIN, User.Role.AUDITOR)]


def _require(actor: User) -> None:
    if connection.schema_name != "public" or not actor.is_ops or not has_duty(actor, Duty.ACCOUNTS):
        raise AccessDenied("只有运维人员可以管理区县的安全管理员和审计管理员账号。")


def _counties() -> Any:
    model = get_tenant_model()
    return model.objects.filter(status=model.Status.ACTIVE).order_by("name")


def _county(tenant_id: int) -> Any:
    tenant = _counties().filter(pk=tenant_id).first()
    if tenant is None:
        raise ApplicationError("请选择一个已开通的区县。", field="county")
    return tenant


@dataclass(frozen=True)
class CountyOfficers:
    tenant: Any
    users: list[User]


def county_officers(*, actor: User) -> list[CountyOfficers]:
    _require(actor)
    out = []
    for tenant in _counties():
        with schema_context(tenant.schema_name):
            users = list(User.objects.filter(role__in=OFFICER_ROLES).order_by("role", "username"))
        out.append(CountyOfficers(tenant, users))
    return out


def _both(kind: str, actor: User, tenant: Any, target: str, detail: str) -> None:
    """The event in public (the actor's site) and in the county. The county's copy names
    the ops user by name only: their id means another user in the county's table."""
    event = record(kind, user=actor, target=f"{tenant.name} {target}", detail=detail)
    with schema_context(tenant.schema_name):
        SecurityEvent.objects.create(
            kind=kind,
            username=f"{actor.username}（市级运维）"[:64],
            ip=event.ip if event is not None else None,
            path=event.path if event is not None else "",
            target=target[:200],
            detail=f"{detail}，由运维人员在市级平台办理"[:500],
        )


def county_officer_create(
    *, actor: User, tenant_id: int, role: str, username: str, full_name: str
) -> tuple[Any, Created]:
    """A new security administrator or auditor in a county, with a random initial
    password shown once (changed at the first login)."""
    _require(actor)
    if role not in OFFICER_ROLES:
        raise ApplicationError("只能在此创建安全管理员或审计管理员。", field="role")
    tenant = _county(tenant_id)
    password = password_temporary()
    with schema_context(tenant.schema_name), transaction.atomic():
        if User.objects.filter(username=username.strip()).exists():
            raise ApplicationError("该区县已有同名用户，请换一个用户名。", field="username")
        user = user_create(
            username=username.strip(),
            full_name=full_name.strip(),
            password=password,
            role=role,
            must_change_password=True,
        )
    _both(Kind.ACCOUNT, actor, tenant, str(user), f"新建账号（{User.Role(role).label}）")
    return tenant, Created(user, password)


def _officer(tenant: Any, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, role__in=OFFICER_ROLES).first()
    if user is None:
        raise Http404("账号不存在")
    return user


def county_officer_reset(*, actor: User, tenant_id: int, user_id: int) -> tuple[User, str]:
    _require(actor)
    tenant = _county(tenant_id)
    with schema_context(tenant.schema_name), transaction.atomic():
        user = _officer(tenant, user_id)
        password = password_reset_temporary(user=user)
    _both(Kind.ACCOUNT, actor, tenant, str(user), "重置密码")
    return user, password


def county_officer_set_active(*, actor: User, tenant_id: int, user_id: int, active: bool) -> User:
    _require(actor)
    tenant = _county(tenant_id)
    with schema_context(tenant.schema_name), transaction.atomic():
        user = user_set_active(user=_officer(tenant, user_id), active=active)
    _both(Kind.ACCOUNT, actor, tenant, str(user), "启用账号" if active else "停用账号")
    return user


# --- pages ------------------------------------------------------------------------------


class OfficerForm(forms.Form):
    county = forms.TypedChoiceField(
        label="区县", coerce=int, error_messages={"required": "请选择区县。"}
    )
    role = forms.ChoiceField(
        label="角色", choices=ROLE_CHOICES, error_messages={"required": "请选择角色。"}
    )
    username = forms.CharField(
        label="用户名", max_length=64, error_messages={"required": "请填写用户名。"}
    )
    full_name = forms.CharField(
        label="姓名", max_length=64, error_messages={"required": "请填写姓名。"}
    )

    def __init__(self, *args: Any, counties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "请选择"), *((t.pk, t.name) for t in counties)]
        self.fields["county"].error_messages["invalid_choice"] = "请选择列表中的区县。"
        self.fields["role"].error_messages["invalid_choice"] = "请选择安全管理员或审计管理员。"

    def clean_username(self) -> str:
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except forms.ValidationError:
            raise forms.ValidationError("用户名只能包含字母、数字和 @ . + - _。") from None
        return username


class OfficerActionForm(forms.Form):
    county = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    user = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    action = forms.ChoiceField(
        choices=[("reset", "reset"), ("disable", "disable"), ("enable", "enable")]
    )


def _ops_page(view):  # type: ignore[no-untyped-def]
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _require(request.user)
            return view(request, *args, **kwargs)
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return public_page(roles_with(Duty.ACCOUNTS))(wrapper)


@sensitive_post_parameters()
@never_cache
@_ops_page
def officers_page(request: HttpRequest) -> HttpResponse:
    """区县三员账号: the list per county, and the form that creates one."""
    counties = list(_counties())
    form = OfficerForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tenant, created = county_officer_create(
                actor=request.user,
                tenant_id=d["county"],
                role=d["role"],
                username=d["username"],
                full_name=d["full_name"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            return render(
                request,
                "accounts/officer_password.html",
                {
                    "target": created.user,
                    "county": tenant,
                    "password": created.password,
                    "created": True,
                },
            )
    listing = county_officers(actor=request.user)
    return render(request, "accounts/officers.html", {"form": form, "listing": listing})


@require_POST
@sensitive_post_parameters()
@never_cache
@_ops_page
def officer_action(request: HttpRequest) -> HttpResponse:
    form = OfficerActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求不完整，请重新操作。")
        return redirect("cityusers:officers")
    d = form.cleaned_data
    try:
        if d["action"] == "reset":
            user, password = county_officer_reset(
                actor=request.user, tenant_id=d["county"], user_id=d["user"]
            )
            return render(
                request,
                "accounts/officer_password.html",
                {"target": user, "county": _county(d["county"]), "password": password},
            )
        active = d["action"] == "enable"
        user = county_officer_set_active(
            actor=request.user, tenant_id=d["county"], user_id=d["user"], active=active
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{user.full_name}”的账号。")
    return redirect("cityusers:officers")
