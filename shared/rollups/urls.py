"""City site: /dashboard/ (the city dashboard, its drill-down, report and e-map)."""

from __future__ import annotations

from django.urls import path

from shared.rollups import exports, maps, views

app_name = "rollups"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data.json", views.dashboard_data, name="data"),
    path("county/<int:tenant_id>/", views.county_detail, name="county_detail"),
    path("county/<int:tenant_id>/data.json", views.county_detail_data, name="county_detail_data"),
    path("report.xlsx", exports.city_xlsx, name="report_xlsx"),
    path("report.pdf", exports.city_pdf, name="report_pdf"),
    path("map/", maps.city_map, name="map"),
    path("map/data.json", maps.city_map_data, name="map_data"),
]
