"""区县管理 shows what each county uses: its schema's database size and its last login."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from shared.customers.usage import usage
from tests.conftest import logged_in
from tests.support.world import CITY_HOST

pytestmark = pytest.mark.django_db


def test_each_county_shows_its_database_size_and_last_login(alpha, beta):
    logged_in(alpha.host, "admin")  # a login in alpha, none needed in beta
    page = logged_in(CITY_HOST, "ops").get("/ops/tenants/").content.decode()
    for county in (alpha, beta):
        row = re.search(rf'<tr data-schema="{county.schema}">(.*?)</tr>', page, re.S).group(1)
        assert re.search(r'data-testid="usage-size">\d+\.\d (MB|GB)<', row), row
    alpha_row = re.search(rf'<tr data-schema="{alpha.schema}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-testid="usage-login">\d{4}-\d\d-\d\d \d\d:\d\d<', alpha_row)


def test_usage_reads_the_schema_and_its_users(alpha):
    from shared.accounts.models import User

    with schema_context(alpha.schema):
        latest = User.objects.exclude(last_login=None).order_by("-last_login").first()
    got = usage([alpha.schema, "no_such_schema"])
    assert set(got) == {alpha.schema}  # a schema not made yet is left out
    assert got[alpha.schema].bytes > 1024 * 1024
    assert got[alpha.schema].last_login == (latest.last_login if latest else None)
