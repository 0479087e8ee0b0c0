"""A flowing member's own page (phone first), under /flowing/."""

from __future__ import annotations

from django.urls import path

from tenants.flowing import views_member

urlpatterns = [
    path("mine/", views_member.mine, name="mine"),
    path("mine/report/", views_member.report, name="report"),
]
