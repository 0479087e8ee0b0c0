"""Pages of the leadership teams (班子与职务): the index, an organization's team with its
term, appointing (任职) and ending (免职) posts, the history of who held what, and the
county's post permissions (职务权限)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shared.accounts.roles import Duty, roles_with
from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import code_choices
from tenants.access.grants import effective_grants
from tenants.access.models import Post
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.access.services import post_assign, post_end, post_grant_set
from tenants.members.models import Member
from tenants.members.pickers import member_results
from tenants.orgs.models import Organization
from tenants.teams import selectors
from tenants.teams.forms import SOURCES, AppointForm, EndForm, GrantForm, TeamFilterForm
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import MAX_ID, filter_status

INDEX = "teams:index"


def _type_names() -> dict[str, str]:
    return dict(OrganizationType.objects.values_list("code", "name"))


def _seen_org(scope: Scope, org_id: int) -> Organization:
    """An organization the user sees (members.view over it), else 404."""
    org = Organization.objects.visible_to(scope).filter(pk=min(org_id, MAX_ID)).first()
    if org is None:
        raise Http404("组织不存在")
    return org


def _managed_org(scope: Scope, org_id: int) -> Organization:
    """An active organization where the user may appoint: missing → 404, elsewhere → 403."""
    org = Organization.objects.filter(pk=min(org_id, MAX_ID), is_active=True).first()
    if org is None:
        raise Http404("组织不存在")
    scope.require(Perm.POSTS_MANAGE, org, message="无权在该组织任免职务。")
    return org


@scoped_page(permission=Perm.MEMBERS_VIEW)
def index(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    form = TeamFilterForm(request.GET or None)
    rows: list[selectors.TeamRow] = []
    if filter_status(form) == 200:
        d = form.cleaned_data if form.is_bound else {}
        rows = selectors.team_index(
            scope,
            name=(d.get("name") or "").strip(),
            state=d.get("state") or "",
            no_secretary=bool(d.get("no_secretary")),
            type_names=_type_names(),
        )
    context = {
        "form": form,
        "rows": rows,
        "may_manage": scope.has(Perm.POSTS_MANAGE),
        "may_grant": scope.may(Duty.POST_GRANTS),
    }
    return render(request, "teams/index.html", context, status=filter_status(form))


@scoped_page(permission=Perm.MEMBERS_VIEW)
def team(request: HttpRequest, org_id: int, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    org = _seen_org(scope, org_id)
    posts = selectors.team_of(org)
    context = {
        "org": org,
        "type_name": _type_names().get(org.type_code, ""),
        "posts": [(p, selectors.post_name(p.post_code)) for p in posts],
        "term": selectors.term_of(org, days=selectors.warning_days()),
        "may_manage": scope.can(Perm.POSTS_MANAGE, org) and org.is_active,
    }
    return render(request, "teams/team.html", context)


@scoped_page(permission=Perm.MEMBERS_VIEW)
def org_history(request: HttpRequest, org_id: int, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    org = _seen_org(scope, org_id)
    context = {
        "org": org,
        "posts": [(p, selectors.post_name(p.post_code)) for p in selectors.org_history(org)],
        "may_manage": scope.can(Perm.POSTS_MANAGE, org) and org.is_active,
    }
    return render(request, "teams/org_history.html", context)


@scoped_page(permission=Perm.MEMBERS_VIEW)
def member_history(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    member = (
        Member.objects.visible_to(scope)
        .filter(pk=min(member_id, MAX_ID))
        .only("id", "name", "org_id")
        .first()
    )
    if member is None:
        raise Http404("党员不存在")
    posts = selectors.member_history(member)
    context = {
        "member": member,
        "posts": [
            (p, selectors.post_name(p.post_code), scope.can(Perm.POSTS_MANAGE, p.org))
            for p in posts
        ],
    }
    return render(request, "teams/member_history.html", context)


@scoped_page(permission=Perm.POSTS_MANAGE)
def appoint(request: HttpRequest, org_id: int, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    org = _managed_org(scope, org_id)
    form = AppointForm(request.POST if request.method == "POST" else None, scope=scope, org=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            post = post_assign(
                scope=scope,
                org=org,
                member=d["member"],
                post_code=d["post_code"],
                started_at=d["started_at"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            name = selectors.post_name(post.post_code)
            messages.success(request, f"已任命{d['member'].name}为{name}。")
            return redirect("teams:team", org_id=org.pk)
    return render(request, "teams/appoint.html", {"org": org, "form": form})


@scoped_page(permission=Perm.POSTS_MANAGE)
def end(request: HttpRequest, post_id: int, *, scope: Scope) -> HttpResponse:
    request.nav_section = INDEX  # type: ignore[attr-defined]
    post = Post.objects.select_related("org", "member").filter(pk=min(post_id, MAX_ID)).first()
    if post is None:
        raise Http404("职务不存在")
    scope.require(Perm.POSTS_MANAGE, post.org, message="无权免除该职务。")
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and post.ended_at is None and form.is_valid():
        d = form.cleaned_data
        try:
            post_end(scope=scope, post=post, ended_at=d["ended_at"], reason=d["reason"])
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            name = selectors.post_name(post.post_code)
            messages.success(request, f"已免去{post.member.name}的{name}职务。")
            return redirect("teams:team", org_id=post.org_id)
    context = {"post": post, "post_name": selectors.post_name(post.post_code), "form": form}
    return render(request, "teams/end.html", context)


@scoped_page(permission=Perm.POSTS_MANAGE)
def candidates(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The appoint form's member search (``static/js/picker.js``): ``?source=org&org=…&q=…``,
    members in good standing of that organization's subtree, within the user's scope."""
    source = request.GET.get("source", "org")
    if source not in SOURCES:
        raise Http404("页面不存在")
    org = request.GET.get("org", "")
    params = {"org": org if org.isdecimal() and len(org) < 19 else "0"}
    results, more = member_results(SOURCES[source](scope, params), request.GET.get("q", "")[:50])
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response


# --- Post permissions (职务权限): the security administrator's (三员分立) ----------------

POST_GRANTS = roles_with(Duty.POST_GRANTS)


@scoped_page(POST_GRANTS)
def permissions(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    permissions, rows = selectors.grant_matrix()
    names = dict(code_choices(CodeTable.POST))
    perm_names = {p.code: p.name for p in permissions}
    overrides = [
        (o, names.get(o.post_code, "其他职务"), perm_names.get(o.permission, "其他权限"))
        for o in selectors.overrides_list()
    ]
    context = {"permissions": permissions, "rows": rows, "overrides": overrides}
    return render(request, "teams/permissions.html", context)


@scoped_page(POST_GRANTS)
def permission_change(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    request.nav_section = "teams:permissions"  # type: ignore[attr-defined]
    initial = {}
    post_code, permission = request.GET.get("post", ""), request.GET.get("permission", "")
    if post_code and permission:
        effective = effective_grants().get(post_code, frozenset())
        initial = {
            "post_code": post_code,
            "permission": permission,
            "granted": "0" if permission in effective else "1",  # the change is the other
        }
    form = GrantForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            post_grant_set(
                scope=scope,
                post_code=d["post_code"],
                permission=d["permission"],
                granted=d["granted"],
                reason=d["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存职务权限。")
            return redirect("teams:permissions")
    return render(request, "teams/permission_change.html", {"form": form})
