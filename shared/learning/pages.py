"""What the city's course pages and a county's share: a course's page with its lessons,
the form adding one and the publishing buttons (one template, the addresses given)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared.learning.catalogue import CourseBase
from shared.learning.forms import LessonForm
from zhdj.errors import ApplicationError
from zhdj.web.forms import add_errors


def course_page(
    request: HttpRequest,
    course: CourseBase,
    *,
    template: str,
    form: LessonForm | None = None,
    error: str = "",
    **context: Any,
) -> HttpResponse:
    """A course's page; with a bound ``form`` or an ``error``, answered as a 400 with what
    was sent kept."""
    return render(
        request,
        template,
        {
            "course": course,
            "lessons": list(course.lessons.all()),  # type: ignore[attr-defined]
            "form": form or LessonForm(),
            "error": error,
            **context,
        },
        status=400 if (form is not None or error) else 200,
    )


def course_initial(course: CourseBase) -> dict[str, Any]:
    return {f: getattr(course, f) for f in ("title", "summary", "year", "audience", "required")}


def form_page(
    request: HttpRequest,
    form: Any,
    template: str,
    *,
    save: Callable[[], Any],
    done: Callable[[Any], str],
    then: Callable[[Any], HttpResponse],
    **context: Any,
) -> HttpResponse:
    """A page of one form: on a valid POST ``save()`` (a service), then the message
    ``done(saved)`` and ``then(saved)``; a refusal goes on the form, which is shown again
    with what was typed (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done(saved))
            return then(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)
