from __future__ import annotations

from django.urls import path

from tenants.orgs import views, views_map

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("options/", views.options, name="options"),
    path("map-base/", views_map.map_base, name="map-base"),
    path("geocode/", views_map.geocode, name="geocode"),
    path("<int:org_id>/", views.detail, name="detail"),
    path("<int:org_id>/edit/", views.edit, name="edit"),
    path("<int:org_id>/<slug:kind>/", views.action, name="action"),
]
