"""The 党籍变动 page: no preselected type, and nothing applies without the confirmation."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenants.members.models import Member, MemberStatusChange
from tests.conftest import logged_in
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

FORM = {
    "action": "suspend",
    "effective_date": "2026-01-05",
    "reason": "长期不参加组织生活",
    "password": PASSWORD,
}


def _member(alpha) -> Member:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return Member.objects.get(name="赵其他")


def _changes(alpha, member: Member) -> int:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return MemberStatusChange.objects.filter(member=member).count()


def test_the_type_starts_blank_and_there_is_a_way_back(alpha):
    member = _member(alpha)
    page = logged_in(alpha.host, "admin").get(f"/members/{member.pk}/status/").content.decode()
    assert '<option value="" selected>请选择</option>' in page
    assert 'name="confirmed"' in page and "返回" in page
    assert f'href="/members/{member.pk}/"' in page


def test_nothing_applies_without_a_type_or_the_confirmation(alpha):
    member = _member(alpha)
    client = logged_in(alpha.host, "admin")
    url = f"/members/{member.pk}/status/"
    unconfirmed = client.post(url, FORM)
    assert unconfirmed.status_code == 200
    assert "请核实后勾选确认" in unconfirmed.content.decode()
    untyped = client.post(url, {**FORM, "action": "", "confirmed": "on"})
    assert untyped.status_code == 200 and "请选择变动类型。" in untyped.content.decode()
    assert _changes(alpha, member) == 0


def test_a_confirmed_change_applies(alpha):
    member = _member(alpha)
    client = logged_in(alpha.host, "admin")
    response = client.post(f"/members/{member.pk}/status/", {**FORM, "confirmed": "on"})
    assert response.status_code == 302
    assert _changes(alpha, member) == 1
    with schema_context(alpha.schema):
        assert Member.objects.get(pk=member.pk).party_status_code == "suspended"
