from __future__ import annotations

from django.urls import path

from tenants.imports import views

app_name = "imports"
urlpatterns = [
    path("members/", views.member_import, name="members"),
    path("members/template.xlsx", views.member_template, name="template"),
    path("members/export.xlsx", views.member_export, name="export"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/confirm/", views.job_confirm, name="confirm"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("jobs/<uuid:job_id>/errors.xlsx", views.job_errors, name="errors"),
]
