from __future__ import annotations

from django.urls import path

from shared.customers import views

app_name = "customers"
urlpatterns = [
    path("tenants/", views.tenant_list, name="tenants"),
    path("onboard/", views.onboard, name="onboard"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("tenants/<int:tenant_id>/suspend/", views.tenant_suspend_view, name="suspend"),
    path("tenants/<int:tenant_id>/resume/", views.tenant_resume_view, name="resume"),
]
