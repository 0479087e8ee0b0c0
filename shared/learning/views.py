"""The city's course pages (市级课程), on the city site for city users: the catalogue,
a course's lessons with uploads, publishing. Writes go through ``shared.learning.services``,
which refuse anyone but city and ops users."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.learning.forms import CourseFields, LessonForm
from shared.learning.models import CityCourse, CityLesson
from shared.learning.pages import course_initial, course_page, form_page
from shared.learning.services import (
    city_course_create,
    city_course_publish,
    city_course_update,
    city_lesson_add,
    city_lesson_remove,
)
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import CITY, public_page
from zhdj.web.forms import add_errors


def _course(course_id: UUID) -> CityCourse:
    course = CityCourse.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404("课程不存在")
    return course


def _refused(action: Callable[[], object]) -> object:
    try:
        return action()
    except AccessDenied as denied:
        raise PermissionDenied(denied.message) from denied


@never_cache
@public_page(CITY)
def courses(request: HttpRequest) -> HttpResponse:
    rows = list(CityCourse.objects.prefetch_related("lessons").order_by("-year", "title"))
    return render(request, "learning_city/courses.html", {"courses": rows})


@never_cache
@public_page(CITY)
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseFields(request.POST or None)
    return form_page(
        request,
        form,
        "learning_city/course_form.html",
        save=lambda: _refused(lambda: city_course_create(request.user, form.data_for_service())),
        done=lambda course: f"已创建市级课程“{course}”，请添加课节。",
        then=lambda course: redirect("learning_city:course", course.pk),
        course=None,
    )


@never_cache
@public_page(CITY)
def course_edit(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(course_id)
    form = CourseFields(request.POST or None, initial=course_initial(course))
    return form_page(
        request,
        form,
        "learning_city/course_form.html",
        save=lambda: _refused(
            lambda: city_course_update(request.user, course, form.data_for_service())
        ),
        done=lambda _: "课程已保存。",
        then=lambda _: redirect("learning_city:course", course.pk),
        course=course,
    )


def _detail(
    request: HttpRequest, course: CityCourse, form: LessonForm | None = None, error: str = ""
) -> HttpResponse:
    return course_page(
        request, course, template="learning_city/course.html", form=form, error=error
    )


@never_cache
@public_page(CITY)
def course_detail(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(course_id)
    if request.method != "POST":
        return _detail(request, course)
    form = LessonForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, course, form)
    try:
        lesson = _refused(lambda: city_lesson_add(request.user, course, form.data_for_service()))
    except ApplicationError as exc:
        add_errors(form, exc)
        return _detail(request, course, form)
    messages.success(request, f"已添加课节“{lesson}”。")
    return redirect("learning_city:course", course.pk)


@require_POST
@public_page(CITY)
def course_publish(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(course_id)
    published = request.POST.get("published") == "1"
    try:
        _refused(lambda: city_course_publish(request.user, course, published))
    except ApplicationError as exc:
        return _detail(request, course, error=exc.message)
    messages.success(request, "课程已发布，全市党员可以学习了。" if published else "已撤回发布。")
    return redirect("learning_city:course", course.pk)


@require_POST
@public_page(CITY)
def lesson_remove(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    lesson = CityLesson.objects.select_related("course").filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404("课节不存在")
    try:
        _refused(lambda: city_lesson_remove(request.user, lesson))
    except ApplicationError as exc:
        messages.error(request, exc.message)  # back on the course's own address
    else:
        messages.success(request, f"已删除课节“{lesson.title}”。")
    return redirect("learning_city:course", lesson.course.pk)
