"""The city site's security audit (安全审计)."""

from __future__ import annotations

from django.urls import path

from shared.accounts import security_views

app_name = "security"
urlpatterns = [
    path("", security_views.events, name="events"),
    path("export.xlsx", security_views.export, name="export"),
]
