"""A member's own learning pages (phone first), under /learning/."""

from __future__ import annotations

from django.urls import path

from tenants.learning import views_member

urlpatterns = [
    path("mine/", views_member.mine, name="mine"),
    path("lesson/<uuid:lesson_id>/", views_member.lesson, name="lesson"),
    path("lesson/<uuid:lesson_id>/media", views_member.lesson_media, name="lesson-media"),
    path("tests/<int:paper_id>/start", views_member.test_start, name="test-start"),
    path("attempt/<uuid:attempt_id>/", views_member.attempt, name="attempt"),
    path("attempt/<uuid:attempt_id>/submit", views_member.attempt_submit, name="attempt-submit"),
    path("attempt/<uuid:attempt_id>/result/", views_member.attempt_result, name="attempt-result"),
    path("wrong/", views_member.wrong, name="wrong"),
]
