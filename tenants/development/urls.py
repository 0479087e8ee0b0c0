from __future__ import annotations

from django.urls import path

from tenants.development import views

app_name = "development"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.record_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:entry_id>/<slug:outcome>/", views.review_decide, name="decide"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/steps/<int:number>/", views.step_new, name="step"),
    path("records/<int:record_id>/steps/<int:number>/vote/", views.vote_start, name="vote-start"),
    path("records/<int:record_id>/export.pdf", views.record_export, name="export"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("handed-in/<int:submission_id>/", views.submission_file, name="submission"),
]
