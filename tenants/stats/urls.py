from __future__ import annotations

from django.urls import path

from tenants.stats import api, views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export, name="export"),
    path("api/", api.StatisticsAPIView.as_view(), name="api"),
]
