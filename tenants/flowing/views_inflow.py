"""Pages of the members flowing in from another county of the city (流入党员): the list
(synced with the notices addressed to this county each time it is shown), one member's
page with the branch to assign (county-level managers) and the dues taken here (the
branch, when the home branch decided they are paid here)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing import inflows
from tenants.flowing.forms_inflow import DuesForm, PlaceForm
from tenants.flowing.models import Inflow
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import MAX_ID

MANAGE = Perm.FLOWING_MANAGE


def _inflow(scope: Scope, inflow_id: int) -> Inflow:
    inflow = inflows.inflow_get(scope, min(inflow_id, MAX_ID))
    if inflow is None:
        raise Http404("流入党员不存在")
    return inflow


@never_cache
@scoped_page(permission=MANAGE)
def inflow_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    inflows.inflows_sync()
    rows = list(inflows.inflows_visible(scope).order_by("org", "-starts_on", "pk"))
    current = [r for r in rows if r.state != Inflow.State.ENDED]
    return render(
        request,
        "flowing/inflows.html",
        {
            "waiting": [r for r in current if r.org_id is None],
            "placed": [r for r in current if r.org_id is not None],
            "ended": [r for r in rows if r.state == Inflow.State.ENDED][:50],
            "places": inflows.places_inflows(scope),
        },
    )


def _page(request: HttpRequest, scope: Scope, inflow: Inflow, **forms: Any) -> HttpResponse:
    first, last = inflows.dues_months(inflow)
    return render(
        request,
        "flowing/inflow.html",
        {
            "inflow": inflow,
            "where": inflows.destination_of(inflow),
            "places": inflows.places_inflows(scope) and inflow.state != Inflow.State.ENDED,
            "place_form": forms.get("place_form") or PlaceForm(prefix="place", scope=scope),
            "dues_form": forms.get("dues_form")
            or DuesForm(prefix="dues", initial={"through_month": inflow.dues_paid_through}),
            "dues_first": first,
            "dues_last": last,
        },
        status=400 if forms else 200,
    )


@never_cache
@scoped_page(permission=MANAGE)
def inflow_detail(request: HttpRequest, inflow_id: int, *, scope: Scope) -> HttpResponse:
    return _page(request, scope, _inflow(scope, inflow_id))


@require_POST
@scoped_page(permission=MANAGE)
def inflow_place(request: HttpRequest, inflow_id: int, *, scope: Scope) -> HttpResponse:
    inflow = _inflow(scope, inflow_id)
    form = PlaceForm(request.POST, prefix="place", scope=scope)
    if form.is_valid():
        try:
            inflow = inflows.inflow_place(
                scope=scope, inflow=inflow, org=form.cleaned_data["org"], actor=request.user
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已安排到“{inflow.org.name}”，原区县和本人可以看到。")
            return redirect("flowing:inflow", inflow.pk)
    return _page(request, scope, inflow, place_form=form)


@require_POST
@scoped_page(permission=MANAGE)
def inflow_dues(request: HttpRequest, inflow_id: int, *, scope: Scope) -> HttpResponse:
    inflow = _inflow(scope, inflow_id)
    form = DuesForm(request.POST, prefix="dues")
    if form.is_valid():
        try:
            inflow = inflows.inflow_dues_record(
                scope=scope,
                inflow=inflow,
                through_month=form.cleaned_data["through_month"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            month = inflow.dues_paid_through
            messages.success(request, f"已登记党费交至 {month.year}年{month.month}月。")
            return redirect("flowing:inflow", inflow.pk)
    return _page(request, scope, inflow, dues_form=form)
