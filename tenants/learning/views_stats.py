"""Learning statistics per organization (学习统计), their Excel export, and the
certificates: a member's own (yearly study, a passed test) and, for a manager, those of
the members in scope."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.certificates import attempt_certificate, year_certificate
from tenants.learning.exports import year_workbook
from tenants.learning.forms import YearForm
from tenants.learning.models import Attempt
from tenants.learning.stats import members_in, year_report
from tenants.learning.study import study_rules
from tenants.members.models import Member
from zhdj.web.access import scoped_page
from zhdj.web.exports import exported, xlsx_download
from zhdj.web.privacy import no_store
from zhdj.web.query import MAX_ID, refuse_query

MANAGE = Perm.LEARNING_MANAGE
FIRST_YEAR = 2000
SHOWN = 500  # members listed on the page; the export has them all


def _year(request: HttpRequest) -> tuple[YearForm, int | None]:
    form = YearForm(request.GET)
    return form, form.year_or_now() if form.is_valid() else None


@never_cache
@scoped_page(permission=MANAGE)
def stats(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form, year = _year(request)
    if year is None:
        return refuse_query(request, form, title="学习统计", back=reverse("learning:manage-stats"))
    report = year_report(scope, year)
    chart = [{"name": o.name, "value": o.hours_per_member} for o in report.orgs]
    members = report.members
    return render(
        request,
        "learning/manage_stats.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "chart": chart,
            "members": members[:SHOWN],
            "more": len(members) - SHOWN,
            "minutes_per_hour": study_rules().minutes_per_hour,
        },
    )


@no_store
@exported("学习情况明细")
@scoped_page(permission=MANAGE)
def stats_export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form, year = _year(request)
    if year is None:
        return refuse_query(request, form, title="学习统计", back=reverse("learning:manage-stats"))
    return xlsx_download(
        year_workbook(year_report(scope, year)),
        name=f"learning-{year}",
        chinese_name=f"{year}年学习情况明细",
        detail=f"年度：{year}",
    )


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _valid_year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404("没有该年度的学习记录")
    return year


@no_store
@exported("本人学习证明")
@scoped_page()
def certificate(request: HttpRequest, year: int, *, scope: Scope) -> HttpResponse:
    """The user's own yearly study certificate (学习证明)."""
    if scope.member_id is None:
        raise Http404("只有党员本人可以下载学习证明")
    member = Member.objects.select_related("org").get(pk=scope.member_id)
    year = _valid_year(year)
    return _pdf(year_certificate(member, year), f"{year}年度学习证明.pdf")


@no_store
@exported("本人考试合格证明")
@scoped_page()
def attempt_certificate_view(
    request: HttpRequest, attempt_id: UUID, *, scope: Scope
) -> HttpResponse:
    """The certificate of the user's own passed test."""
    attempt = (
        Attempt.objects.select_related("paper__org", "member__org")
        .filter(pk=attempt_id, member_id=scope.member_id, passed=True)
        .exclude(member_id__isnull=True)
        .first()
        if scope.member_id is not None
        else None
    )
    if attempt is None:
        raise Http404("没有这份合格的答卷")
    return _pdf(attempt_certificate(attempt), f"考试合格证明-{attempt.paper.title}.pdf")


@no_store
@exported("党员学习证明")
@scoped_page(permission=MANAGE)
def member_certificate(
    request: HttpRequest, member_id: int, year: int, *, scope: Scope
) -> HttpResponse:
    """A member's yearly certificate, for a manager whose scope covers the member."""
    member = members_in(scope).select_related("org").filter(pk=min(member_id, MAX_ID)).first()
    if member is None:
        raise Http404("党员不存在")
    year = _valid_year(year)
    response = _pdf(year_certificate(member, year), f"{member.name}-{year}年度学习证明.pdf")
    response["Cache-Control"] = "private, no-store"
    return response
