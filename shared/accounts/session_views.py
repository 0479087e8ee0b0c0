"""登录设备 (账号安全): the signed-in user's sessions on this site, ended one by one or all
but this one (shared.accounts.sessions)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.accounts import sessions
from shared.accounts.views import own_account_page


@never_cache
@own_account_page
def session_list(request: HttpRequest) -> HttpResponse:
    current = request.session.session_key
    mine = sessions.key_hash(current) if current else ""
    rows = [
        {"row": row, "current": row.key_hash == mine}
        for row in sessions.live_sessions(request.user)
    ]
    rows.sort(key=lambda r: not r["current"])  # this device first
    return render(
        request,
        "accounts/sessions.html",
        {
            "rows": rows,
            "others": sum(1 for r in rows if not r["current"]),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "max_hours": round(sessions.max_age() / 3600),
        },
    )


@require_POST
@never_cache
@own_account_page
def session_end(request: HttpRequest) -> HttpResponse:
    which = request.POST.get("session", "")
    if which == "others":
        count = sessions.sessions_end_others(request=request)
        if count:
            messages.success(request, f"已退出其他 {count} 个设备上的登录。")
        else:
            messages.info(request, "没有其他设备上的登录。")
    elif which.isascii() and which.isdigit():
        if sessions.session_end(request=request, pk=int(which)):
            messages.success(request, "已退出该设备上的登录。")
        else:
            messages.error(request, "该登录已结束或不是您的登录，请刷新后重试。")
    else:
        messages.error(request, "请选择要退出的设备。")
    return redirect("accounts:sessions")
