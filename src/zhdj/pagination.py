"""Pagination that counts in the page's own query.

Django's ``Paginator`` (and DRF's page-number pagination on top of it) runs two queries
per page: ``count(*)`` of the whole filtered list, then the page's rows. Both scan the
same rows. ``CountingPaginator`` asks for the page with ``count(*) OVER ()`` beside each
row, so one query gives the rows and the total (bench/members.py: the member list's
count query was ~3 ms of a ~25 ms request). A page past the end falls back to a plain
count, so ``EmptyPage`` and ``get_page`` behave as Django documents.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from rest_framework.pagination import PageNumberPagination

TOTAL = "pagination_total"
# PostgreSQL takes OFFSET as a bigint: a larger one is a DataError, not an empty page.
MAX_OFFSET = 2**62


def _counts_in_page(object_list: Any) -> bool:
    """Only model-instance querysets: ``values()`` rows would carry the total as a field,
    and a combined query (``union()``) cannot be annotated."""
    return (
        isinstance(object_list, QuerySet)
        and object_list._iterable_class is ModelIterable
        and not object_list.query.combinator
    )


class CountingPaginator(Paginator):
    def page(self, number: Any) -> Page:
        if not _counts_in_page(self.object_list) or "count" in self.__dict__:
            return super().page(number)
        number = self._lower_bound(number)
        bottom = (number - 1) * self.per_page
        if bottom > MAX_OFFSET:  # a tampered ?page=: past any end, without a bigint overflow
            return super().page(number)
        rows = list(
            self.object_list.annotate(**{TOTAL: Window(Count("*"))})[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.__dict__["count"] = getattr(rows[0], TOTAL)
        elif number == 1:
            self.__dict__["count"] = 0
            if not self.allow_empty_first_page:
                raise EmptyPage(self.error_messages["no_results"])
        else:
            return super().page(number)  # past the end: counts, then raises EmptyPage
        return self._get_page(rows, number, self)

    def _lower_bound(self, number: Any) -> int:
        """``validate_number`` without the upper bound (which would need the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class CountingPageNumberPagination(PageNumberPagination):
    django_paginator_class = CountingPaginator
