"""Small things of the member forms: each error once, "——" for "not chosen", a way back,
and a reversed age range refused instead of silently matching nobody."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenants.members.models import Member
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_record_form_errors_once_dashes_and_back_link(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
    client = logged_in(alpha.host, "branchsec")
    url = f"/members/{member.pk}/records/honors/add/"
    blank = client.get(url).content.decode()
    assert "---------" not in blank and '<option value="" selected>——</option>' in blank
    assert f'href="/members/{member.pk}/">返回</a>' in blank
    empty = {"kind": "", "name": "", "decided_at": "", "authority": ""}  # as a browser sends
    page = client.post(url, empty).content.decode()
    assert page.count("该字段是必填项。") == 3  # 类别, 名称, 日期: once each
    assert "---------" not in page


def test_member_form_pages_have_a_back_link(alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
    client = logged_in(alpha.host, "admin")
    assert 'href="/members/">返回</a>' in client.get("/members/new/").content.decode()
    edit = client.get(f"/members/{member.pk}/edit/").content.decode()
    assert f'href="/members/{member.pk}/">返回</a>' in edit


def test_reversed_age_range_is_refused(alpha):  # type: ignore[no-untyped-def]
    client = logged_in(alpha.host, "admin")
    response = client.get("/members/?age_min=60&age_max=20")
    assert response.status_code == 400
    assert "年龄上限不能小于下限。" in response.content.decode()
    assert client.get("/members/?age_min=20&age_max=60").status_code == 200
