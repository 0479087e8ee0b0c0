from __future__ import annotations

from django.contrib import admin

from shared.cityorg.models import CityOrganization
from zhdj.admin_scope import PublicOnlyAdmin


@admin.register(CityOrganization)
class CityOrganizationAdmin(PublicOnlyAdmin):
    list_display = ("name", "kind", "region_code", "tenant")
