"""City site pages: the city home and the ops pages (区县开通与管理)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shared.accounts.models import User
from shared.accounts.security_views import officer_home
from shared.cityorg.models import CityOrganization
from shared.customers.forms import OnboardingForm, SuspendForm
from shared.customers.jobs import onboarding_job_queue
from shared.customers.models import OnboardingJob, Tenant
from shared.customers.services import tenant_resume, tenant_suspend
from shared.customers.trail import Actor
from shared.customers.usage import usage
from zhdj.errors import ApplicationError
from zhdj.web.access import CITY, OPS, public_page
from zhdj.web.forms import add_errors


def _counties():  # type: ignore[no-untyped-def]
    return Tenant.objects.exclude(status=Tenant.Status.TEMPLATE).prefetch_related("domains")


@public_page(User.PUBLIC_ROLES)
def city_home(request: HttpRequest) -> HttpResponse:
    if request.user.role not in CITY:  # 安全管理员, 审计管理员: no city data (三员分立)
        return officer_home(request)
    counties = _counties()
    stats = counties.aggregate(
        total=Count("id", filter=~Q(status=Tenant.Status.OFFBOARDED)),
        active=Count("id", filter=Q(status=Tenant.Status.ACTIVE)),
        suspended=Count("id", filter=Q(status=Tenant.Status.SUSPENDED)),
    )
    tree = CityOrganization.objects.order_by("path")
    chart = [
        {"name": label, "value": stats[key]}
        for key, label in (("active", "正常"), ("suspended", "已暂停"))
        if stats[key]
    ]
    return render(
        request,
        "customers/city_home.html",
        {"counties": counties, "stats": stats, "tree": tree, "chart": chart},
    )


@public_page(OPS)
def tenant_list(request: HttpRequest) -> HttpResponse:
    jobs = OnboardingJob.objects.select_related("created_by")[:10]
    counties = list(_counties())
    used = usage([t.schema_name for t in counties])
    for county in counties:
        county.usage = used.get(county.schema_name)
    return render(request, "customers/tenant_list.html", {"counties": counties, "jobs": jobs})


@public_page(OPS)
def onboard(request: HttpRequest) -> HttpResponse:
    form = OnboardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = onboarding_job_queue(req=form.to_request(), created_by=request.user)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            return redirect("customers:job", job_id=job.pk)
    return render(request, "customers/onboard.html", {"form": form})


@public_page(OPS)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(OnboardingJob, pk=job_id)
    template = (
        "customers/_job_progress.html"
        if request.headers.get("HX-Request")
        else ("customers/job.html")
    )
    return render(request, template, {"job": job})


@require_POST
@public_page(OPS)
def tenant_suspend_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    form = SuspendForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("请填写暂停原因。", field="reason")
        tenant_suspend(
            tenant=tenant, reason=form.cleaned_data["reason"], actor=Actor.from_request(request)
        )
        messages.success(request, f"已暂停“{tenant.name}”。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("customers:tenants")


@require_POST
@public_page(OPS)
def tenant_resume_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    try:
        tenant_resume(tenant=tenant, actor=Actor.from_request(request))
        messages.success(request, f"已恢复“{tenant.name}”。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("customers:tenants")
