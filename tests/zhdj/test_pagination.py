"""CountingPaginator: the same pages and counts as Django's Paginator, in one query."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared.standards.models import Code
from zhdj.pagination import CountingPaginator

pytestmark = pytest.mark.django_db


def _codes():  # type: ignore[no-untyped-def]
    return Code.objects.filter(table="ethnicity").order_by("code")


@pytest.mark.parametrize("per_page", [7, 10, 56, 100])
def test_pages_and_counts_match_djangos(per_page):
    plain, counting = Paginator(_codes(), per_page), CountingPaginator(_codes(), per_page)
    for number in range(1, plain.num_pages + 1):
        with CaptureQueriesContext(connection) as queries:
            page = CountingPaginator(_codes(), per_page).page(number)
        assert len(queries) == 1
        expected = plain.page(number)
        assert [c.pk for c in page] == [c.pk for c in expected]
        assert page.paginator.count == plain.count
        assert (page.has_next(), page.has_previous()) == (
            expected.has_next(),
            expected.has_previous(),
        )
    assert counting.get_page(plain.num_pages + 5).number == plain.num_pages
    assert counting.get_page("x").number == 1
    with pytest.raises(EmptyPage):
        CountingPaginator(_codes(), per_page).page(plain.num_pages + 1)
    with pytest.raises(EmptyPage):
        CountingPaginator(_codes(), per_page).page(0)
    with pytest.raises(PageNotAnInteger):
        CountingPaginator(_codes(), per_page).page("abc")


def test_an_empty_list_has_one_empty_page():
    page = CountingPaginator(Code.objects.filter(table="nothing-here"), 10).page(1)
    assert list(page) == [] and page.paginator.count == 0 and page.paginator.num_pages == 1


def test_values_and_combined_lists_page_as_django_does():
    codes = Code.objects.filter(table="ethnicity").order_by("code")
    rows = codes.values("code", "name")
    page = CountingPaginator(rows, 10).page(2)
    assert list(page) == list(Paginator(rows, 10).page(2)) and "pagination_total" not in page[0]
    both = codes.filter(code__lt="10").union(codes.filter(code__gt="50")).order_by("code")
    assert [c.pk for c in CountingPaginator(both, 5).page(1)] == [
        c.pk for c in Paginator(both, 5).page(1)
    ]
