"""Ops pages of a county's lifecycle (区县管理): its domains and its offboarding, and the
trail of every lifecycle action for the city's auditor (区县变更记录)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from shared.accounts.roles import Duty, roles_with
from shared.customers import archives
from shared.customers.forms import DomainChoiceForm, DomainForm, LifecycleFilterForm, OffboardForm
from shared.customers.jobs import offboarding_job_queue
from shared.customers.lifecycle import (
    domain_refusal,
    offboard_refusal,
    tenant_domain_add,
    tenant_domain_make_primary,
    tenant_domain_remove,
    tenant_domain_rename,
)
from shared.customers.models import Tenant
from shared.customers.trail import Actor, lifecycle_events
from zhdj.errors import ApplicationError
from zhdj.web.access import OPS, public_page
from zhdj.web.forms import add_errors
from zhdj.web.query import filtered_page

PAGE = 50
TYPED = {"rename": tenant_domain_rename, "add": tenant_domain_add}
CHOSEN = {"remove": tenant_domain_remove, "primary": tenant_domain_make_primary}
DONE = {
    "rename": "主域名已改为“{}”，旧域名不再可用。",
    "add": "已添加域名“{}”。",
    "remove": "已删除域名“{}”。",
    "primary": "“{}”已设为主域名。",
}


@public_page(OPS)
def tenant_domains(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """域名管理: rename the primary domain, add one, remove or make primary per row."""
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    forms = {name: DomainForm(prefix=name) for name in TYPED}
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = Actor.from_request(request)
        back = redirect("customers:domains", tenant_id=tenant.pk)
        if action in TYPED:
            form = forms[action] = DomainForm(request.POST, prefix=action)
            if form.is_valid():
                try:
                    done = TYPED[action](
                        tenant=tenant, domain=form.cleaned_data["domain"], actor=actor
                    )
                except ApplicationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, DONE[action].format(done.domain))
                    return back
        elif action in CHOSEN:
            choice = DomainChoiceForm(request.POST)
            if not choice.is_valid():
                messages.error(request, "请选择域名。")
                return back
            host = choice.cleaned_data["domain"]
            try:
                CHOSEN[action](tenant=tenant, domain=host, actor=actor)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, DONE[action].format(host.strip().lower()))
            return back
        else:
            messages.error(request, "请从页面上选择操作。")
            return back
    return render(
        request,
        "customers/tenant_domains.html",
        {
            "tenant": tenant,
            "domains": tenant.domains.order_by("-is_primary", "domain"),
            "rename": forms["rename"],
            "add": forms["add"],
            "problem": domain_refusal(tenant),
        },
    )


@public_page(OPS)
def tenant_offboard_view(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """注销区县: the county's full name typed out, a recent archive or the operator's word."""
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    refusal = offboard_refusal(tenant)
    form = OffboardForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            job = offboarding_job_queue(
                tenant=tenant,
                confirm_name=form.cleaned_data["confirm_name"],
                backup_confirmed=form.cleaned_data["backup_confirmed"],
                actor=Actor.from_request(request),
                created_by=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            return redirect("customers:job", job_id=job.pk)
    return render(
        request,
        "customers/offboard.html",
        {
            "tenant": tenant,
            "form": form,
            "refusal": refusal,
            "archive_recent": archives.archive_is_recent(tenant),
            "archive_at": archives.latest_archive_at(tenant),
            "archive_hours": archives.archive_hours(),
        },
    )


@never_cache
@public_page(roles_with(Duty.AUDIT_TRAIL))
def lifecycle_log(request: HttpRequest) -> HttpResponse:
    """区县变更记录: the city auditor reads every lifecycle action (read only)."""
    form = LifecycleFilterForm(request.GET or None)
    context, status = filtered_page(
        request,
        form,
        lambda data: lifecycle_events(action=data.get("action", ""), county=data.get("county", "")),
        per_page=PAGE,
    )
    return render(
        request,
        "customers/lifecycle_log.html",
        context,
        status=status,
    )
