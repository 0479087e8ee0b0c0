"""County pages: the county home and the organization tree."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.members.scope import request_scope
from tenants.notifications.selectors import notifications_for, unread_count
from tenants.orgs.selectors import org_root, org_tree
from zhdj.web.access import county_page


@county_page()
def county_home(request: HttpRequest) -> HttpResponse:
    type_names = dict(OrganizationType.objects.values_list("code", "name"))
    by_type = [
        {"name": type_names.get(row["type_code"], row["type_code"]), "value": row["n"]}
        for row in org_tree().values("type_code").annotate(n=Count("id")).order_by("type_code")
    ]
    context = {
        "root": org_root(),
        "org_count": org_tree().count(),
        "user_count": User.objects.filter(is_active=True).count(),
        "unread": unread_count(request.user),
        "recent": notifications_for(request.user)[:5],
        "orgs_by_type": by_type,
    }
    return render(request, "orgs/county_home.html", context)


@county_page()
def tree(request: HttpRequest) -> HttpResponse:
    type_names = dict(OrganizationType.objects.values_list("code", "name"))
    orgs = [
        {"org": o, "depth": o.depth, "type_name": type_names.get(o.type_code, o.type_code)}
        for o in request_scope(request).organizations().order_by("path")
    ]
    return render(request, "orgs/tree.html", {"orgs": orgs})
