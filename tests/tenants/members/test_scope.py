"""Role × tenant matrix: list, detail, search and API each show exactly the scope."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenants.members.models import Member
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

# username → names visible in alpha (the world: see tests/support/world.py)
EXPECTED = {
    "admin": {"王书记", "李支书", "榆阳区党员", "赵其他"},
    "townsec": {"王书记", "李支书", "榆阳区党员", "赵其他"},
    "branchsec": {"王书记", "李支书", "榆阳区党员"},
    "member": {"榆阳区党员"},
}


def _ids(schema: str) -> dict[str, int]:
    with schema_context(schema):
        return dict(Member.objects.values_list("name", "id"))


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_exactly_its_scope(username, alpha, beta):
    client = logged_in(alpha.host, username)
    names = {m["name"] for m in client.get("/api/members/").json()["results"]}
    assert names == EXPECTED[username]
    listing = client.get("/members/")
    if username == "member":  # no post: the list is their own record's page
        assert listing.status_code == 302 and listing["Location"] == "/members/me/"
    else:
        page = listing.content.decode()
        for name in _ids(alpha.schema):
            assert (f">{name}</a>" in page) == (name in EXPECTED[username]), name
    for name, member_id in _ids(alpha.schema).items():
        visible = name in EXPECTED[username]
        assert (client.get(f"/api/members/{member_id}/").status_code == 200) == visible
        assert (client.get(f"/members/{member_id}/").status_code == 200) == visible
    # Beta's ids never resolve from alpha, whatever the role.
    for member_id in set(_ids(beta.schema).values()) - set(_ids(alpha.schema).values()):
        assert client.get(f"/api/members/{member_id}/").status_code == 404


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_search_stays_in_scope(username, alpha):
    client = logged_in(alpha.host, username)
    found = {m["name"] for m in client.get("/api/members/", {"q": "zqt"}).json()["results"]}
    assert found == ({"赵其他"} & EXPECTED[username])


def test_search_by_initials_pinyin_name_id_and_phone(alpha):
    client = logged_in(alpha.host, "admin")

    def names(q: str) -> set[str]:
        return {m["name"] for m in client.get("/api/members/", {"q": q}).json()["results"]}

    assert names("lzs") == {"李支书"}
    assert names("lizhi") == {"李支书"}
    assert names("支书") == {"李支书"}
    with schema_context(alpha.schema):
        member = Member.objects.get(name="李支书")
        id_number, phone = member.id_number, member.phone
    assert names(id_number) == {"李支书"}
    assert names(id_number.lower()) == {"李支书"}
    assert names(phone) == {"李支书"}
    assert names(id_number[:-1] + "0" if id_number[-1] != "0" else id_number[:-1] + "1") == set()


def test_lists_mask_personal_values(alpha):
    client = logged_in(alpha.host, "admin")
    rows = client.get("/api/members/").json()["results"]
    with schema_context(alpha.schema):
        clear = {m.name: (m.id_number, m.phone) for m in Member.objects.all()}
    for row in rows:
        id_number, phone = clear[row["name"]]
        assert row["id_number"] == id_number[:1] + "*" * 16 + id_number[-1:]
        assert phone not in row["phone"] and row["phone"].endswith(phone[-2:])
    page = client.get("/members/").content.decode()
    assert not any(id_number in page or phone in page for id_number, phone in clear.values())


def test_plain_members_cannot_register_or_edit(alpha):
    client = logged_in(alpha.host, "member")
    assert client.get("/members/new/").status_code == 403
    with schema_context(alpha.schema):
        own = Member.objects.get(user__username="member").pk
    assert client.get(f"/members/{own}/edit/").status_code == 403
    assert client.get(f"/members/{own}/").status_code == 200


def test_org_tree_is_scoped_too(alpha):
    branchsec = logged_in(alpha.host, "branchsec")
    names = {o["name"] for o in branchsec.get("/api/orgs/").json()["results"]}
    assert names == {"榆阳区某村党支部"}


def test_navigation_shows_organization_pages_only_to_those_who_manage(alpha):
    member_page = logged_in(alpha.host, "member").get("/").content.decode()
    assert "党内统计" not in member_page and "组织架构" not in member_page
    assert "我的信息" in member_page
    secretary_page = logged_in(alpha.host, "branchsec").get("/").content.decode()
    assert "党内统计" in secretary_page and "组织架构" in secretary_page
