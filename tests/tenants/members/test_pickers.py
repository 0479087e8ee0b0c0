"""The member picker's search (members:options): the member list's search (name, full
pinyin, initials, exact mobile), within the user's scope, never another county."""

from __future__ import annotations

from django.test import Client

from tests.conftest import logged_in


def _found(client: Client, q: str, source: str = "normal") -> list[dict]:
    response = client.get("/members/options/", {"source": source, "q": q})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()["results"]


def test_finds_a_member_by_full_pinyin_and_by_initials(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    by_pinyin = _found(admin, "wangshuji")
    by_initials = _found(admin, "wsj")
    assert [r["name"] for r in by_pinyin] == ["王书记"] == [r["name"] for r in by_initials]
    assert by_pinyin == by_initials
    assert by_pinyin[0]["label"] == "王书记（榆阳区某村党支部）"
    assert by_pinyin[0]["detail"] == "榆阳区某镇党委 › 榆阳区某村党支部"
    assert [r["name"] for r in _found(admin, "王")] == ["王书记"]
    assert [r["name"] for r in _found(admin, "13900000001")] == ["王书记"]  # exact mobile


def test_a_branch_secretary_finds_only_their_branch(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    branch = logged_in(alpha.host, "branchsec")
    assert [r["name"] for r in _found(admin, "zqt")] == ["赵其他"]  # in 另一村党支部
    assert _found(branch, "zqt") == []
    assert {r["name"] for r in _found(branch, "")} == {"王书记", "李支书", "榆阳区党员"}


def test_the_other_countys_members_are_never_found(db, alpha, beta):  # type: ignore[no-untyped-def]
    found = _found(logged_in(alpha.host, "admin"), "")
    assert len(found) == 4
    assert all("横山区" not in r["label"] + r["detail"] for r in found)
    assert all("榆阳区" not in r["detail"] for r in _found(logged_in(beta.host, "admin"), ""))


def test_a_plain_member_finds_only_themself_and_strangers_are_refused(db, alpha):  # type: ignore[no-untyped-def]
    member = logged_in(alpha.host, "member")
    assert [r["name"] for r in _found(member, "", source="scope")] == ["榆阳区党员"]
    assert member.get("/members/options/", {"source": "everyone"}).status_code == 404
    assert Client(HTTP_HOST=alpha.host).get("/members/options/?q=w").status_code == 302


def test_answers_are_limited(db, alpha):  # type: ignore[no-untyped-def]
    from django_tenants.utils import schema_context

    from tenants.members.models import Member
    from tenants.members.selectors import member_search

    with schema_context(alpha.schema):
        rows, more = member_search(Member.objects.all(), "", limit=2)
        assert len(rows) == 2 and more is True
        rows, more = member_search(Member.objects.all(), "", limit=4)
        assert len(rows) == 4 and more is False
