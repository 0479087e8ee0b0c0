"""Template context for every page: site name, role navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhdj.web.navigation import navigation_for


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None
    site_name = f"{settings.ZHDJ_CITY_NAME if is_public else tenant.name}委组织部"
    user = getattr(request, "user", None)
    return {
        "site_name": site_name,
        "platform_name": "智慧党建云",
        "city_name": settings.ZHDJ_CITY_NAME,
        "is_public_site": is_public,
        "current_tenant": tenant,
        "nav_items": navigation_for(request, user, is_public=is_public),
    }
