"""Pages of those who run learning (``/learning/manage/``) and the certificates."""

from __future__ import annotations

from django.urls import path

from tenants.learning import views, views_bank, views_stats

urlpatterns = [
    path("manage/", views.courses, name="manage-courses"),
    path("manage/courses/new/", views.course_new, name="manage-course-new"),
    path("manage/courses/<uuid:course_id>/", views.course_detail, name="manage-course"),
    path("manage/courses/<uuid:course_id>/edit/", views.course_edit, name="manage-course-edit"),
    path(
        "manage/courses/<uuid:course_id>/publish/",
        views.course_publish_view,
        name="manage-course-publish",
    ),
    path(
        "manage/lessons/<uuid:lesson_id>/remove/",
        views.lesson_remove_view,
        name="manage-lesson-remove",
    ),
    path("manage/questions/", views_bank.questions, name="manage-questions"),
    path("manage/questions/new/", views_bank.question_new, name="manage-question-new"),
    path(
        "manage/questions/<int:question_id>/edit/",
        views_bank.question_edit,
        name="manage-question-edit",
    ),
    path(
        "manage/questions/<int:question_id>/retire/",
        views_bank.question_retire_view,
        name="manage-question-retire",
    ),
    path("manage/papers/", views_bank.papers, name="manage-papers"),
    path("manage/papers/new/", views_bank.paper_new, name="manage-paper-new"),
    path("manage/papers/<int:paper_id>/", views_bank.paper_detail, name="manage-paper"),
    path(
        "manage/papers/<int:paper_id>/publish/",
        views_bank.paper_publish_view,
        name="manage-paper-publish",
    ),
    path("manage/stats/", views_stats.stats, name="manage-stats"),
    path("manage/stats/export.xlsx", views_stats.stats_export, name="manage-stats-export"),
    path(
        "manage/members/<int:member_id>/certificate/<int:year>.pdf",
        views_stats.member_certificate,
        name="manage-member-certificate",
    ),
    path("certificate/<int:year>.pdf", views_stats.certificate, name="certificate"),
    path(
        "attempt/<uuid:attempt_id>/certificate.pdf",
        views_stats.attempt_certificate_view,
        name="attempt-certificate",
    ),
]
