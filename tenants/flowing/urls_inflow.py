"""The pages of members flowing in from another county of the city (流入党员)."""

from __future__ import annotations

from django.urls import path

from tenants.flowing import views_inflow

urlpatterns = [
    path("inflows/", views_inflow.inflow_list, name="inflows"),
    path("inflows/<int:inflow_id>/", views_inflow.inflow_detail, name="inflow"),
    path("inflows/<int:inflow_id>/place/", views_inflow.inflow_place, name="inflow-place"),
    path("inflows/<int:inflow_id>/dues/", views_inflow.inflow_dues, name="inflow-dues"),
]
