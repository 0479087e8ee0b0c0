from __future__ import annotations

from django.urls import path

from tenants.members import proposal_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_new, name="new"),
    path("options/", views.member_options, name="options"),
    path("me/", proposal_views.my_record, name="me"),
    path("me/propose/", proposal_views.propose, name="propose"),
    path("proposals/", proposal_views.review_queue, name="review"),
    path("proposals/<int:proposal_id>/<slug:outcome>/", proposal_views.decide, name="decide"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.member_edit, name="edit"),
    path("<int:member_id>/status/", views.member_status, name="status"),
    path("<int:member_id>/reveal/", views.member_reveal_view, name="reveal"),
    path("<int:member_id>/unlock/", views.member_unlock, name="unlock"),
    path("<int:member_id>/records/<slug:slug>/add/", views.record_add_view, name="record-add"),
    path(
        "<int:member_id>/records/<slug:slug>/<int:record_id>/delete/",
        views.record_remove_view,
        name="record-remove",
    ),
]
