from __future__ import annotations

from django.urls import path

from tenants.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
]
