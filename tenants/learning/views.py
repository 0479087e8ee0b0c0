"""Pages of those who run learning (学习教育管理): the courses of the organizations where the
user holds ``learning.manage`` (and the city's published ones, read only), a course's
lessons with uploads, publishing. The question bank and papers: ``views_bank``; the
statistics, exports and certificates: ``views_stats``. Members' pages: ``views_member``."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.learning.forms import LessonForm
from shared.learning.models import CityCourse
from shared.learning.pages import course_initial, course_page, form_page
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.catalogue import managed_courses
from tenants.learning.forms import CourseForm, YearForm
from tenants.learning.models import Course, Lesson
from tenants.learning.services import (
    course_create,
    course_publish,
    course_update,
    lesson_add,
    lesson_remove,
)
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.query import refuse_query

MANAGE = Perm.LEARNING_MANAGE


def courses_above(scope: Scope, year: int) -> list[Course]:
    """Published courses of the organizations above those the user runs learning for: what
    their members are asked to study by the committee or the county (read-only here)."""
    step = Organization.steplen
    paths = scope.paths(Perm.LEARNING_MANAGE)
    above = {p[:n] for p in paths for n in range(step, len(p), step)} - set(paths)
    if scope.is_admin or not above:
        return []
    return list(
        Course.objects.filter(published=True, year=year, org__path__in=above, org__is_active=True)
        .select_related("org")
        .prefetch_related("lessons")
        .order_by("org__path", "title")
    )


def _course(scope: Scope, course_id: UUID) -> Course:
    course = managed_courses(scope).filter(pk=course_id).first()
    if course is None:
        raise Http404("课程不存在")
    return course


@never_cache
@scoped_page(permission=MANAGE)
def courses(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = YearForm(request.GET)
    if not form.is_valid():
        return refuse_query(request, form, title="学习课程", back=request.path)
    year = form.year_or_now()
    own = list(
        managed_courses(scope)
        .filter(year=year)
        .prefetch_related("lessons")
        .order_by("org__path", "title")
    )
    city = list(
        CityCourse.objects.filter(published=True, year=year)
        .prefetch_related("lessons")
        .order_by("title")
    )
    return render(
        request,
        "learning/manage_courses.html",
        {"form": form, "year": year, "own": own, "city": city, "above": courses_above(scope, year)},
    )


@never_cache
@scoped_page(permission=MANAGE)
def course_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = CourseForm(request.POST or None, scope=scope)
    return form_page(
        request,
        form,
        "learning/manage_course_form.html",
        save=lambda: course_create(
            scope,
            Organization.objects.get(pk=form.cleaned_data["org"]),
            form.data_for_service(),
            request.user,  # type: ignore[arg-type]
        ),
        done=lambda course: f"已创建课程“{course.title}”，请添加课节。",
        then=lambda course: redirect("learning:manage-course", course.pk),
        course=None,
    )


@never_cache
@scoped_page(permission=MANAGE)
def course_edit(request: HttpRequest, course_id: UUID, *, scope: Scope) -> HttpResponse:
    course = _course(scope, course_id)
    form = CourseForm(
        request.POST or None, initial=course_initial(course), scope=scope, editing=True
    )
    return form_page(
        request,
        form,
        "learning/manage_course_form.html",
        save=lambda: course_update(scope, course, form.data_for_service()),
        done=lambda _: "课程已保存。",
        then=lambda _: redirect("learning:manage-course", course.pk),
        course=course,
    )


def _detail(
    request: HttpRequest, course: Course, form: LessonForm | None = None, error: str = ""
) -> HttpResponse:
    return course_page(
        request,
        course,
        template="learning/manage_course.html",
        form=form,
        error=error,
    )


@never_cache
@scoped_page(permission=MANAGE)
def course_detail(request: HttpRequest, course_id: UUID, *, scope: Scope) -> HttpResponse:
    """A course's lessons, the form adding one (with its upload) and publishing."""
    course = _course(scope, course_id)
    if request.method != "POST":
        return _detail(request, course)
    form = LessonForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, course, form)
    try:
        lesson = lesson_add(scope, course, form.data_for_service())
    except ApplicationError as exc:
        add_errors(form, exc)
        return _detail(request, course, form)
    messages.success(request, f"已添加课节“{lesson.title}”。")
    return redirect("learning:manage-course", course.pk)


@require_POST
@scoped_page(permission=MANAGE)
def course_publish_view(request: HttpRequest, course_id: UUID, *, scope: Scope) -> HttpResponse:
    course = _course(scope, course_id)
    published = request.POST.get("published") == "1"
    try:
        course_publish(scope, course, published)
    except ApplicationError as exc:
        return _detail(request, course, error=exc.message)
    messages.success(request, "课程已发布，党员可以学习了。" if published else "已撤回发布。")
    return redirect("learning:manage-course", course.pk)


@require_POST
@scoped_page(permission=MANAGE)
def lesson_remove_view(request: HttpRequest, lesson_id: UUID, *, scope: Scope) -> HttpResponse:
    lesson = (
        Lesson.objects.visible_to(scope, MANAGE)
        .select_related("course__org")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404("课节不存在")
    course = lesson.course
    try:
        lesson_remove(scope, lesson)
    except ApplicationError as exc:
        return _detail(request, course, error=exc.message)
    messages.success(request, f"已删除课节“{lesson.title}”。")
    return redirect("learning:manage-course", course.pk)
