"""Query-string filters of the pages: read through a form, refused when invalid, never widened.

A list page or an export reads its filters (``?org=…&on=…``) with a ``forms.Form``. When the
form refuses a value, falling back to "no filter" would answer for the user's whole scope:
more than was asked, and for an export a file of everyone. So a refused filter gives the
page with the form's errors over an empty result, status 400 (``filter_status``), and an
export refuses with the errors (``refuse_export``); a page without a form to show them on
refuses the same way (``refuse_query``). Hand-typed or tampered values (``abc``,
``9999-99-99``, 21-digit ids, 10,000 characters) are ordinary invalid input, never a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# PostgreSQL's bigint: a larger id or page can only be a tampered value, and reaching the
# database with one fails (``bigint out of range``) instead of finding nothing.
MAX_ID = 2**63 - 1
# More pages than any list here has; keeps OFFSET far inside bigint.
MAX_PAGE = 1_000_000


class PageField(forms.IntegerField):
    """``?page=N`` of a list, 1 … MAX_PAGE. Anything else is the first page, as Django's
    ``Paginator.get_page`` answers: a page number widens nothing, so it is not refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "页码")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_PAGE)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        try:
            return super().clean(value) or 1
        except forms.ValidationError:
            return 1


def filter_status(form: forms.Form) -> int:
    """The status of a filtered page: 400 when the user's filter was refused."""
    return 400 if form.is_bound and not form.is_valid() else 200


def filtered_page(
    request: HttpRequest, form: forms.Form, rows_for: Any, *, per_page: int
) -> tuple[dict[str, Any], int]:
    """One page of a filtered log (``rows_for(cleaned_data)`` → a queryset): the template's
    context (form, rows, has_next, page, query without the page, errors) and the status
    (400 with no rows when the filter was refused)."""
    status = filter_status(form)
    rows: list[Any] = []
    page = 1
    if status == 200:
        data = form.cleaned_data if form.is_bound else {}
        page = data.get("page") or 1
        rows = list(rows_for(data)[(page - 1) * per_page : page * per_page + 1])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": rows[:per_page],
        "has_next": len(rows) > per_page,
        "page": page,
        "query": query.urlencode(),
        "errors": error_lines(form) if status != 200 else [],
    }
    return context, status


def error_lines(form: forms.Form) -> list[str]:
    """The form's errors as "label：message" lines (for pages that show no form)."""
    lines = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        lines.extend(f"{label}：{m}" if label else str(m) for m in messages)
    return lines


def refuse_query(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: str,
    lead: str = "筛选条件有误，请返回修改：",
) -> HttpResponse:
    """A page or export whose filters were refused and which has no form to show them on:
    the errors and a way back (status 400), never the unfiltered content."""
    return render(
        request,
        "web/bad_query.html",
        {"title": title, "lead": lead, "errors": error_lines(form), "back": back},
        status=400,
    )


def refuse_export(request: HttpRequest, form: forms.Form, *, title: str, back: str) -> HttpResponse:
    """An export whose filters were refused: the errors, never a file of the whole scope."""
    return refuse_query(
        request, form, title=title, back=back, lead="筛选条件有误，未导出任何数据："
    )


class QueryRefused(Exception):
    """Raised by a view's helper that reads a filter deep in the view (``_month(request)``);
    ``zhdj.web.inputs.BadInputMiddleware`` answers it with ``refuse_query``."""

    def __init__(self, form: forms.Form, *, title: str, back: str, export: bool = False):
        super().__init__(title)
        self.form, self.title, self.back, self.export = form, title, back, export

    def response(self, request: HttpRequest) -> HttpResponse:
        if self.export:
            return refuse_export(request, self.form, title=self.title, back=self.back)
        return refuse_query(request, self.form, title=self.title, back=self.back)
