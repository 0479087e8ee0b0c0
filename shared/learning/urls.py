"""The city's course pages (``/learning/`` on the city site)."""

from __future__ import annotations

from django.urls import path

from shared.learning import views

app_name = "learning_city"

urlpatterns = [
    path("", views.courses, name="courses"),
    path("new/", views.course_new, name="course-new"),
    path("courses/<uuid:course_id>/", views.course_detail, name="course"),
    path("courses/<uuid:course_id>/edit/", views.course_edit, name="course-edit"),
    path("courses/<uuid:course_id>/publish/", views.course_publish, name="course-publish"),
    path("lessons/<uuid:lesson_id>/remove/", views.lesson_remove, name="lesson-remove"),
]
