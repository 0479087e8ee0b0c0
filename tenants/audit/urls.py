from __future__ import annotations

from django.urls import path

from tenants.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.xlsx", views.audit_export, name="export"),
    path("events/", views.events, name="events"),
    path("events/export.xlsx", views.events_export, name="events_export"),
]
