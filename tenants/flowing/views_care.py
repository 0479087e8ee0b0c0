"""Keeping in touch with members away (流动党员管理, continued): the deadlines the rules
set (report back, no contact, 失联 → 停止党籍 → 除名, abroad), a contact or search recorded,
失联 marked with the password step, and the flowing party groups to set up."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.flowing import selectors
from tenants.flowing.forms import ContactForm, GroupForm, LostForm
from tenants.flowing.models import ContactLog, FlowingGroup, Outflow, OutflowState
from tenants.flowing.services import contact_record, group_create, lost_contact_mark
from tenants.flowing.views import _detail, outflow_of
from tenants.members.models import Member
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import MAX_ID

MANAGE = Perm.FLOWING_MANAGE


@never_cache
@scoped_page(permission=MANAGE)
def deadlines(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.deadlines(scope, today)
    active = dict(
        Outflow.objects.filter(
            member_id__in=[d.member.pk for d in rows], state=OutflowState.ACTIVE
        ).values_list("member_id", "pk")
    )
    may_status = {d.member.pk for d in rows if scope.can(Perm.MEMBERS_STATUS, d.member.org)}
    lines = [
        {
            "d": d,
            "overdue": d.overdue(today),
            "outflow_id": active.get(d.member.pk),
            "may_status": d.member.pk in may_status,
            "status_step": "停止党籍" in d.what or "除名" in d.what,
        }
        for d in rows
    ]
    return render(request, "flowing/deadlines.html", {"lines": lines, "today": today})


def _member_of(scope: Scope, member_id: int) -> Member:
    member = (
        Member.objects.visible_to(scope).select_related("org").filter(pk=min(member_id, MAX_ID))
    ).first()
    if member is None or member.org is None or not scope.can(MANAGE, member.org):
        raise Http404("党员不存在")
    return member


@never_cache
@scoped_page(permission=MANAGE)
def contact(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    """记录联系 (reached) or 查找未果 (a search: a 失联 step), for a member away or lost.
    The outflow page sends its form here; on an error this page shows it, values kept."""
    member = _member_of(scope, member_id)
    outflow = Outflow.objects.filter(member=member, state=OutflowState.ACTIVE).first()
    initial = {"on": timezone.localdate(), "kind": request.GET.get("kind", "")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log = contact_record(
                scope=scope,
                member=member,
                kind=data["kind"],
                on=data["on"],
                way=data["way"],
                note=data["note"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已记录：{log.get_kind_display()}。")
            if outflow is not None:
                return redirect("flowing:detail", outflow.pk)
            return redirect("flowing:deadlines")
    contacts = ContactLog.objects.filter(member=member).select_related("by")[:20]
    return render(
        request,
        "flowing/contact.html",
        {"form": form, "member": member, "outflow": outflow, "contacts": contacts},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@scoped_page(permission=MANAGE)
def lost(request: HttpRequest, outflow_id: int, *, scope: Scope) -> HttpResponse:
    """标记失联: the status change of the member (password step) with the steps taken."""
    outflow = outflow_of(scope, outflow_id)
    member = outflow.member
    if outflow.state != OutflowState.ACTIVE or member.lost_contact:
        return _detail(request, scope, outflow, error="该党员已返回或已标记失联。")
    form = LostForm(request.POST or None, initial={"since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lost_contact_mark(
                scope=scope,
                member=member,
                since=data["since"],
                code=data["code"],
                steps=data["steps"],
                actor=request.user,
                password=data["password"],
            )
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已将{member.name}标记为失联，查找措施已记录。")
            return redirect("flowing:detail", outflow.pk)
    return render(
        request,
        "flowing/lost.html",
        {"form": form, "o": outflow, "member": member},
        status=400 if form.is_bound and form.errors else 200,
    )


def _forms(scope: Scope, bound: tuple[int, GroupForm] | None = None) -> list[tuple]:
    out = []
    for n, s in enumerate(selectors.group_suggestions(scope)):
        if bound is not None and bound[0] == n:
            form = bound[1]
        else:
            form = GroupForm(
                prefix=f"g{n}",
                scope=scope,
                rows=s.outflows,
                initial={
                    "outflows": [str(o.pk) for o in s.outflows],
                    "name": f"{s.destination}流动党员党小组",
                    "kind": FlowingGroup.Kind.GROUP,
                },
            )
        out.append((n, s, form))
    return out


@never_cache
@scoped_page(permission=MANAGE)
def groups(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return _groups(request, scope)


def _groups(request: HttpRequest, scope: Scope, bound=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    existing = (
        FlowingGroup.objects.visible_to(scope)
        .filter(dissolved_on=None)
        .select_related("org", "leader")
    )
    return render(
        request,
        "flowing/groups.html",
        {"suggestions": _forms(scope, bound), "groups": existing},
        status=400 if bound else 200,
    )


@require_POST
@scoped_page(permission=MANAGE)
def group_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    raw = request.POST.get("suggestion", "")
    suggestions = selectors.group_suggestions(scope)
    if not (raw.isdecimal() and int(raw) < len(suggestions)):
        messages.error(request, "该地外出党员已有变化，请重新选择。")
        return redirect("flowing:groups")
    n = int(raw)
    rows = suggestions[n].outflows
    form = GroupForm(request.POST, prefix=f"g{n}", scope=scope, rows=rows)
    if form.is_valid():
        data = form.cleaned_data
        chosen = [o for o in rows if str(o.pk) in set(data["outflows"])]
        leader = next((o.member for o in rows if str(o.member_id) == data.get("leader")), None)
        try:
            group = group_create(
                scope=scope,
                org=data["org"],
                kind=data["kind"],
                name=data["name"],
                outflows=chosen,
                leader=leader,
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已设立“{group.name}”。")
            return redirect("flowing:groups")
    return _groups(request, scope, bound=(n, form))
