"""Writes of the city's catalogue (市级课程), from the city site only: a county page has no
way to these functions, and they refuse anyone but city and ops users."""

from __future__ import annotations

from typing import Any

from shared.accounts.models import User
from shared.learning.authoring import assign, attach, course_fields, lesson_fields, publishable
from shared.learning.models import CityCourse, CityLesson
from zhdj.errors import AccessDenied, ApplicationError


def _city(user: User) -> None:
    if user.role not in (User.Role.CITY, User.Role.OPS):
        raise AccessDenied("只有市委组织部可以发布市级课程。")


def city_course_create(user: User, data: dict[str, Any]) -> CityCourse:
    _city(user)
    return CityCourse.objects.create(**course_fields(data))


def city_course_update(user: User, course: CityCourse, data: dict[str, Any]) -> CityCourse:
    _city(user)
    return assign(course, course_fields(data))


def city_course_publish(user: User, course: CityCourse, published: bool) -> CityCourse:
    _city(user)
    publishable(course, published)
    course.published = published
    course.save(update_fields=["published", "updated_at"])
    return course


def city_lesson_add(user: User, course: CityCourse, data: dict[str, Any]) -> CityLesson:
    _city(user)
    fields = lesson_fields(data)
    lesson = CityLesson(course=course, sort=course.lessons.count() + 1, **fields)
    attach(lesson, data.get("media"))
    lesson.save()
    return lesson


def city_lesson_remove(user: User, lesson: CityLesson) -> None:
    """A city lesson is removed only while no county has credited time on it: the city
    site cannot see county schemas, so it refuses once the course was ever published."""
    _city(user)
    if lesson.course.published:
        raise ApplicationError("课程已发布，各区县可能已有学习记录，不能删除课节；请先撤回发布。")
    if lesson.media:
        lesson.media.delete(save=False)
    lesson.delete()
