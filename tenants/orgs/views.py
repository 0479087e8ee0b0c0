"""County pages: the county home, the organization tree, an organization's page and its
adjustments (成立、更名、调整隶属关系、合并、撤销)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.notifications.selectors import notifications_for, unread_count
from tenants.orgs.forms import ChildForm, DissolveForm, OrgFieldsForm, RenameForm, TargetForm
from tenants.orgs.models import Organization
from tenants.orgs.pickers import SOURCES, org_search
from tenants.orgs.selectors import org_options, org_root, org_warnings
from tenants.orgs.services import (
    EDITABLE,
    org_create,
    org_dissolve,
    org_merge,
    org_move,
    org_rename,
    org_update,
)
from tenants.orgs.views_map import map_pick_context
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors


@scoped_page()
def county_home(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Everyone's start page: their messages; for administrators and post holders also
    the organizations they see (a member or applicant gets no county figures)."""
    context: dict[str, object] = {
        "root": org_root(),
        "unread": unread_count(request.user),
        "recent": notifications_for(request.user)[:5],
    }
    if scope.manages_orgs:
        type_names = dict(OrganizationType.objects.values_list("code", "name"))
        seen = Organization.objects.visible_to(scope)
        context["org_count"] = seen.count()
        context["orgs_by_type"] = [
            {"name": type_names.get(row["type_code"], row["type_code"]), "value": row["n"]}
            for row in seen.order_by().values("type_code").annotate(n=Count("id"))
        ]
        if scope.is_admin:
            context["user_count"] = User.objects.filter(is_active=True).count()
    return render(request, "orgs/county_home.html", context)


@scoped_page(permission=Perm.MEMBERS_VIEW)  # a tool of post holders and administrators
def tree(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    type_names = dict(OrganizationType.objects.values_list("code", "name"))
    orgs = Organization.objects.visible_to(scope).order_by("path").annotate(n=Count("members"))
    rows = [
        {"org": o, "depth": o.depth, "type_name": type_names.get(o.type_code, o.type_code)}
        for o in orgs
    ]
    warnings = org_warnings(Organization.objects.visible_to(scope))
    return render(request, "orgs/tree.html", {"orgs": rows, "warnings": warnings})


def _org(scope: Scope, org_id: int, permission: str | None = None) -> Organization:
    """An organization the user sees (with ``permission``: may act on there); else 404."""
    org = Organization.objects.visible_to(scope, permission).filter(pk=org_id).first()
    if org is None:
        raise Http404("组织不存在")
    return org


@scoped_page(permission=Perm.MEMBERS_VIEW)
def detail(request: HttpRequest, org_id: int, *, scope: Scope) -> HttpResponse:
    org = _org(scope, org_id)
    type_names = dict(OrganizationType.objects.values_list("code", "name"))
    parent = Organization.objects.get_parent(org)
    context = {
        "org": org,
        "type_name": type_names.get(org.type_code, org.type_code),
        "parent": parent,
        "parent_seen": parent is not None and scope.covers_org(parent),
        "from_above": _from_above(scope, org),
        "children": Organization.objects.get_children(org).filter(is_active=True),
        "member_count": org.members.count(),
        "warnings": org_warnings(Organization.objects.filter(pk=org.pk)),
        "changes": org.changes.select_related("actor")[:30],
        "posts": org.posts.filter(ended_at__isnull=True).select_related("member"),
        "manage": scope.can(Perm.ORGS_MANAGE, org),
    }
    return render(request, "orgs/detail.html", context)


def _from_above(scope: Scope, org: Organization) -> bool:
    """Moving, merging and dissolving are the parent organization's to decide."""
    parent = Organization.objects.get_parent(org)
    return parent is not None and scope.can(Perm.ORGS_MANAGE, parent)


FROM_ABOVE = frozenset({"move", "merge", "dissolve"})


@scoped_page(permission=Perm.ORGS_MANAGE)
def edit(request: HttpRequest, org_id: int, *, scope: Scope) -> HttpResponse:
    org = _org(scope, org_id, Perm.ORGS_MANAGE)
    form = OrgFieldsForm(request.POST or None, initial={f: getattr(org, f) for f in EDITABLE})
    if request.method == "POST" and form.is_valid():
        try:
            org_update(scope=scope, org=org, values=form.cleaned_data, actor=request.user)
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:detail", org_id=org.pk)
    context = {"org": org, "form": form, "title": "修改组织信息", "map_pick": map_pick_context(org)}
    return render(request, "orgs/action.html", context)


@scoped_page(permission=Perm.ORGS_MANAGE)
def action(request: HttpRequest, org_id: int, kind: str, *, scope: Scope) -> HttpResponse:
    """One page for the adjustments: child, rename, move, merge, dissolve."""
    org = _org(scope, org_id, Perm.ORGS_MANAGE)
    forms = {
        "child": (lambda data: ChildForm(data, parent_type=org.type_code), "成立下级组织"),
        "rename": (RenameForm, "更名"),
        "move": (lambda data: TargetForm(data, scope=scope, org=org), "调整隶属关系"),
        "merge": (
            lambda data: TargetForm(data, scope=scope, org=org, same_type=True),
            "合并到其他组织",
        ),
        "dissolve": (DissolveForm, "撤销组织"),
    }
    if kind not in forms:
        raise Http404("页面不存在")
    if kind in FROM_ABOVE and not _from_above(scope, org):
        raise PermissionDenied
    make, title = forms[kind]
    form = make(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"scope": scope, "actor": request.user}
        try:
            if kind == "child":
                result = org_create(parent=org, name=d["name"], type_code=d["type_code"], **common)
            elif kind == "rename":
                result = org_rename(
                    org=org,
                    name=d["name"],
                    effective_date=d["effective_date"],
                    reason=d["reason"],
                    **common,
                )
            elif kind == "move":
                result = org_move(
                    org=org,
                    new_parent=d["target"],
                    effective_date=d["effective_date"],
                    reason=d["reason"],
                    **common,
                )
            elif kind == "merge":
                org_merge(
                    source=org,
                    target=d["target"],
                    effective_date=d["effective_date"],
                    reason=d["reason"],
                    **common,
                )
                result = d["target"]
            else:
                result = org_dissolve(
                    org=org, effective_date=d["effective_date"], reason=d["reason"], **common
                )
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已办理：{title}。")
            return redirect("orgs:detail", org_id=result.pk)
    return render(request, "orgs/action.html", {"org": org, "form": form, "title": title})


@scoped_page()
def options(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The organizations the user acts on: with ``?source=`` the search of a picker
    (``tenants.orgs.pickers``, ``static/js/picker.js``); without, all of them in tree order
    (id, name, depth), cacheable per tree version and user (``?v=``).
    """
    source = request.GET.get("source")
    if source is not None:
        return _search(request, scope, source)
    response = JsonResponse({"options": org_options(Organization.objects.visible_to(scope))})
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _search(request: HttpRequest, scope: Scope, source: str) -> HttpResponse:
    """A picker's search (``static/js/picker.js``): ``?source=…&q=…`` plus the narrowing
    parameters of the form's field, within what the user may choose."""
    if source not in SOURCES:
        raise Http404("页面不存在")
    params = {k: v for k, v in request.GET.items() if k in ("type", "exclude")}
    orgs = SOURCES[source](scope, params)
    results, more = org_search(orgs, request.GET.get("q", "")[:50])
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response
