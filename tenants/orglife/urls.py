from __future__ import annotations

from django.urls import path

from tenants.orglife import views, views_appraisal, views_member

app_name = "orglife"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan, name="plan"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/qr/", views.qr, name="qr"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/leave/<int:attendance_id>/", views.leave, name="leave-decide"),
    path("<int:meeting_id>/guests/", views.guests, name="guests"),
    path("<int:meeting_id>/guests/add/", views.guest_new, name="guest-add"),
    path("<int:meeting_id>/record/", views.record, name="record"),
    path("<int:meeting_id>/files/", views.file_add, name="file-add"),
    path("<int:meeting_id>/review/", views.review, name="review"),
    path("<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("<int:meeting_id>/ballots/", views.ballot_new, name="ballot-new"),
    path(
        "<int:meeting_id>/ballots/<int:ballot_id>/count/", views.ballot_count, name="ballot-count"
    ),
    path("<int:meeting_id>/comment/", views_member.comment, name="comment"),
    path("files/<int:file_id>/", views.meeting_file, name="file"),
    path("mine/", views_member.mine, name="mine"),
    path("mine/<int:meeting_id>/", views_member.mine_detail, name="mine-detail"),
    path("mine/<int:meeting_id>/leave/", views_member.ask_leave, name="ask-leave"),
    path("mine/<int:meeting_id>/opinion/", views_member.opinion, name="opinion"),
    path("ballots/<int:ballot_id>/vote/", views_member.vote, name="vote"),
    path("appraisals/", views_appraisal.appraisals, name="appraisals"),
    path("appraisals/<int:appraisal_id>/", views_appraisal.appraisal, name="appraisal"),
    path(
        "appraisals/<int:appraisal_id>/propose/",
        views_appraisal.propose,
        name="appraisal-propose",
    ),
    path("appraisals/<int:appraisal_id>/vote/", views_appraisal.vote, name="appraisal-vote"),
    path("appraisals/<int:appraisal_id>/decide/", views_appraisal.decide, name="appraisal-decide"),
    path("appraisals/<int:appraisal_id>/mine/", views_appraisal.mine, name="appraisal-mine"),
    path(
        "appraisals/<int:appraisal_id>/mine/self/",
        views_appraisal.mine_self,
        name="appraisal-self",
    ),
    path(
        "appraisals/<int:appraisal_id>/mine/peer/",
        views_appraisal.mine_peer,
        name="appraisal-peer",
    ),
    path("checkin/<str:token>/", views_member.checkin, name="checkin"),
]
