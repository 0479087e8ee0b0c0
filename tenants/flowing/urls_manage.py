"""Pages of those who run the flowing-members work, under /flowing/."""

from __future__ import annotations

from django.urls import path

from tenants.flowing import views, views_care

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/paper/", views.paper_hint, name="paper-hint"),
    path("<int:outflow_id>/", views.detail, name="detail"),
    path("<int:outflow_id>/issue/", views.issue, name="issue"),
    path("<int:outflow_id>/card.pdf", views.card, name="card"),
    path("<int:outflow_id>/return/", views.back, name="return"),
    path("<int:outflow_id>/cancel/", views.cancel, name="cancel"),
    path("<int:outflow_id>/lost/", views_care.lost, name="lost"),
    path("members/<int:member_id>/contact/", views_care.contact, name="contact"),
    path("deadlines/", views_care.deadlines, name="deadlines"),
    path("groups/", views_care.groups, name="groups"),
    path("groups/new/", views_care.group_new, name="group-new"),
]
