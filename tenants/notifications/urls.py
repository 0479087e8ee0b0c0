from __future__ import annotations

from django.urls import path

from tenants.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_read, name="read-all"),
    path("compose/", views.compose, name="compose"),
    path("recipients/", views.recipients, name="recipients"),
]
