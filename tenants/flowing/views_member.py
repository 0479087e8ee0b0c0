"""A flowing member's own page, phone first (我的活动证): the card with its QR check, the
home branch and how to reach it, the report to the home branch (at least yearly; nothing
daily), the past reports, and where to take part at the destination."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.models import Post
from tenants.access.scope import Scope
from tenants.flowing import selectors
from tenants.flowing.forms import ReportForm
from tenants.flowing.models import ContactLog, Outflow, OutflowState
from tenants.flowing.pdf import verify_url
from tenants.flowing.services import report_back
from tenants.members.models import Member
from tenants.transfers.pdf import qr_svg
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors

SECRETARY = "secretary"


def _member(scope: Scope) -> Member:
    if scope.member_id is None:
        raise PermissionDenied("只有党员本人可以查看活动证。")
    return Member.objects.select_related("org").get(pk=scope.member_id)


def _destination_org(outflow: Outflow) -> str:
    """The branch the destination county assigned, when it is a county of this city."""
    notice = selectors.notice_of(outflow)
    return notice.target_org_name if notice is not None else ""


def _page(request: HttpRequest, scope: Scope, form: ReportForm | None = None) -> HttpResponse:
    member = _member(scope)
    outflow = (
        Outflow.objects.filter(member=member, state=OutflowState.ACTIVE)
        .select_related("org")
        .first()
    )
    context: dict[str, object] = {"member": member, "outflow": outflow}
    if outflow is not None:
        home = outflow.org
        secretary = (
            Post.objects.filter(org=home, post_code=SECRETARY, ended_at__isnull=True)
            .select_related("member")
            .first()
        )
        away = next(
            (a for a in selectors.away(scope, timezone.localdate()) if a.outflow.pk == outflow.pk),
            None,
        )
        context.update(
            home=home,
            secretary=secretary.member.name if secretary else "",
            report_due=away.report_due if away else None,
            qr=qr_svg(verify_url(outflow)) if outflow.card_token else "",
            within_city=bool(outflow.target_schema),
            destination_org=_destination_org(outflow) if outflow.target_schema else "",
            form=form or ReportForm(),
        )
    context["reports"] = ContactLog.objects.filter(
        member=member, kind=ContactLog.Kind.REPORT
    ).order_by("-on", "-id")[:20]
    return render(request, "flowing/mine.html", context, status=400 if form else 200)


@never_cache
@scoped_page()
def mine(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return _page(request, scope)


@require_POST
@scoped_page()
def report(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    member = _member(scope)
    form = ReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report_back(
                member=member, on=data["on"], way=data["way"], note=data["note"], user=request.user
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "报告已送达原党支部。")
            return redirect("flowing:mine")
    return _page(request, scope, form)
