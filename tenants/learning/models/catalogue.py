"""A county's own courses (县级课程), published by an organization of the county for its
subtree; the city's courses are read from public (``shared.learning``)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models

from shared.learning.catalogue import CourseBase, LessonBase
from tenants.access.querysets import ScopedQuerySet, ScopeFields

MANAGE = "learning.manage"


class Course(CourseBase):
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name="发布组织",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta(CourseBase.Meta):
        verbose_name = "课程"
        verbose_name_plural = "课程"

    @property
    def publisher(self) -> str:
        return connection.schema_name


class Lesson(LessonBase):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", verbose_name="课程"
    )

    scope_fields = ScopeFields(org="course__org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta(LessonBase.Meta):
        verbose_name = "课节"
        verbose_name_plural = "课节"

    @property
    def publisher(self) -> str:
        return connection.schema_name
