"""The city site's security events page (安全审计): the events of city and ops users,
for the city's auditor (read and export) and security administrator (read)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from shared.accounts import security_log
from shared.accounts.roles import Duty, has_duty, roles_with
from zhdj.web.access import public_page
from zhdj.web.exports import exported


@never_cache
@public_page(roles_with(Duty.SECURITY_EVENTS))
def events(request: HttpRequest) -> HttpResponse:
    return security_log.events_page(
        request, export_url=reverse("security:export"), site="市级平台（市委组织部和运维人员）"
    )


@never_cache
@exported("安全审计")
@public_page(roles_with(Duty.SECURITY_EVENTS_EXPORT))
def export(request: HttpRequest) -> HttpResponse:
    return security_log.events_export(request, back=reverse("security:events"))


def officer_home(request: HttpRequest) -> HttpResponse:
    """The city home of the security administrator and the auditor: their duties, no city
    figures (called by the city home, whose guard admits them)."""
    return render(
        request,
        "accounts/officer_home.html",
        {"may_export": has_duty(request.user, Duty.SECURITY_EVENTS_EXPORT)},
    )
