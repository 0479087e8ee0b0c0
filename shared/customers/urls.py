from __future__ import annotations

from django.urls import path

from shared.customers import lifecycle_views, views
from shared.customers.backup import views as backup_views

app_name = "customers"
urlpatterns = [
    path("tenants/", views.tenant_list, name="tenants"),
    path("onboard/", views.onboard, name="onboard"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("tenants/<int:tenant_id>/suspend/", views.tenant_suspend_view, name="suspend"),
    path("tenants/<int:tenant_id>/resume/", views.tenant_resume_view, name="resume"),
    path("tenants/<int:tenant_id>/domains/", lifecycle_views.tenant_domains, name="domains"),
    path(
        "tenants/<int:tenant_id>/offboard/",
        lifecycle_views.tenant_offboard_view,
        name="offboard",
    ),
    path("lifecycle/", lifecycle_views.lifecycle_log, name="lifecycle"),
    path("tenants/<int:tenant_id>/archives/", backup_views.tenant_archives, name="archives"),
    path(
        "tenants/<int:tenant_id>/archives/<str:name>",
        backup_views.tenant_archive_download,
        name="archive_download",
    ),
]
