"""The user's messages, and notices (发布通知) sent by the county administrator to anyone
in the county or by a post carrying notices.publish to the members of its subtrees."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.notifications.forms import NoticeForm
from tenants.notifications.pickers import SOURCES, user_results
from tenants.notifications.selectors import notifications_for
from tenants.notifications.services import notice_publish, notification_mark_read
from zhdj.errors import ApplicationError
from zhdj.web.access import county_page, scoped_page
from zhdj.web.forms import add_errors


@never_cache
@county_page()
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@county_page()
def mark_read(request: HttpRequest, notification_id: int | None = None) -> HttpResponse:
    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("notifications:list")


@scoped_page(permission=Perm.NOTICES_PUBLISH)
def recipients(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The recipient picker's search (``static/js/picker.js``), for who may send notices."""
    users = SOURCES["active"](scope, {})
    results, more = user_results(users, request.GET.get("q", "")[:50])
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response


@scoped_page(permission=Perm.NOTICES_PUBLISH)
def compose(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = NoticeForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            sent = notice_publish(
                scope=scope,
                recipients=form.chosen(),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                sender=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"通知已发送给 {len(sent)} 人。")
            return redirect("notifications:compose")
    return render(request, "notifications/compose.html", {"form": form})
