from __future__ import annotations

from django.urls import path

from tenants.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.index, name="index"),
    path("candidates/", views.candidates, name="candidates"),
    path("permissions/", views.permissions, name="permissions"),
    path("permissions/change/", views.permission_change, name="permission_change"),
    path("<int:org_id>/", views.team, name="team"),
    path("<int:org_id>/history/", views.org_history, name="org_history"),
    path("<int:org_id>/appoint/", views.appoint, name="appoint"),
    path("posts/<int:post_id>/end/", views.end, name="end"),
    path("members/<int:member_id>/", views.member_history, name="member_history"),
]
