"""URLs of the city site (city.<domain>): city users and the ops team."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from shared.customers.views import city_home
from zhdj.web.views import celeryz, health_page, healthz, livez, readyz

urlpatterns = [
    path("", city_home, name="home"),
    path("accounts/", include("shared.accounts.urls")),
    path("users/", include("shared.accounts.urls_city")),
    path("security/", include("shared.accounts.urls_security")),
    path("ops/", include("shared.customers.urls")),
    path("dashboard/", include("shared.rollups.urls")),
    path("pay/", include("shared.payments.urls")),
    path("letters/", include("shared.interchange.urls")),
    path("learning/", include("shared.learning.urls")),
    path("ops/health/", health_page, name="health-page"),
    path("livez", livez, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("celeryz", celeryz, name="celeryz"),
    path("healthz", healthz, name="healthz"),  # = readyz, for older probes
    path("admin/", admin.site.urls),
]

handler400 = "zhdj.web.errors.bad_request"
handler404 = "zhdj.web.errors.not_found"
handler403 = "zhdj.web.errors.forbidden"
handler500 = "zhdj.web.errors.server_error"
