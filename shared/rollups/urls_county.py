"""County site: /dashboard/ (the county's dashboard for the user's subtree, and its map)."""

from __future__ import annotations

from django.urls import path

from shared.rollups import exports, maps, views

app_name = "rollups"
urlpatterns = [
    path("", views.county_dashboard, name="county_dashboard"),
    path("data.json", views.county_dashboard_data, name="county_data"),
    path("report.xlsx", exports.county_xlsx, name="county_report_xlsx"),
    path("map/", maps.county_map, name="county_map"),
    path("map/data.json", maps.county_map_data, name="county_map_data"),
]
