"""The city's course catalogue (市级课程): published once in public for every county, read
by each county's pages and never copied into a county schema."""

from __future__ import annotations

from django.db import models

from shared.learning.catalogue import CITY, CourseBase, LessonBase


class CityCourse(CourseBase):
    class Meta(CourseBase.Meta):
        verbose_name = "市级课程"
        verbose_name_plural = "市级课程"

    @property
    def publisher(self) -> str:
        return CITY


class CityLesson(LessonBase):
    course = models.ForeignKey(
        CityCourse, on_delete=models.CASCADE, related_name="lessons", verbose_name="课程"
    )

    class Meta(LessonBase.Meta):
        verbose_name = "市级课节"
        verbose_name_plural = "市级课节"

    @property
    def publisher(self) -> str:
        return CITY
