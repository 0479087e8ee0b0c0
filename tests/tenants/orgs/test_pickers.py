"""The organization picker's search (orgs:options?source=…): name, full pinyin and
initials anywhere in the path, answered with the path, within the user's scope."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

from tenants.access.scope import scope_for
from tenants.orgs.models import Organization
from tenants.transfers.forms import StartForm
from tests.conftest import logged_in


def _found(client: Client, q: str, source: str = "scope", **params: str) -> list[dict]:
    response = client.get("/orgs/options/", {"source": source, "q": q, **params})
    assert response.status_code == 200
    return response.json()["results"]


def test_finds_an_organization_by_pinyin_and_initials_with_its_path(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    for q in ("榆阳区某村", "yuyangqumoucun", "mcdzb", "YYQMC"):
        found = _found(admin, q)
        assert [r["label"] for r in found] == ["榆阳区某镇党委 › 榆阳区某村党支部"], q
    # a word of the path finds the whole subtree, the organization itself first
    assert [r["name"] for r in _found(admin, "mzdw")] == [
        "榆阳区某镇党委",
        "榆阳区另一村党支部",
        "榆阳区某村党支部",
    ]
    assert [r["name"] for r in _found(admin, "mzdw dzb", source="branches")] == [
        "榆阳区另一村党支部",
        "榆阳区某村党支部",
    ]


def test_a_branch_secretary_finds_only_their_subtree(db, alpha):  # type: ignore[no-untyped-def]
    assert [r["name"] for r in _found(logged_in(alpha.host, "branchsec"), "")] == [
        "榆阳区某村党支部"
    ]
    town = [r["name"] for r in _found(logged_in(alpha.host, "townsec"), "dzb")]
    assert town == ["榆阳区另一村党支部", "榆阳区某村党支部"]
    # where a member may be transferred to: any branch of the county
    member = logged_in(alpha.host, "member")
    assert _found(member, "") == []
    assert len(_found(member, "dzb", source="county_branches")) == 2


def test_the_other_countys_organizations_are_never_found(db, alpha, beta):  # type: ignore[no-untyped-def]
    assert all("横山区" not in r["label"] for r in _found(logged_in(alpha.host, "admin"), ""))
    beta_found = _found(logged_in(beta.host, "admin"), "zhishu")
    assert len(beta_found) == 5 and all("榆阳区" not in r["label"] for r in beta_found)
    assert logged_in(alpha.host, "admin").get("/orgs/options/?source=x").status_code == 404


def test_the_field_refuses_what_the_picker_would_not_offer(db, alpha):  # type: ignore[no-untyped-def]
    from shared.accounts.models import User
    from tenants.members.models import Member

    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username="branchsec"))
        stranger = Member.objects.get(name="赵其他").pk
        own = Member.objects.get(name="王书记").pk
        target = Organization.objects.get(name__endswith="另一村党支部").pk
        data = {"kind": "within", "to_org": target, "reason": "工作调动"}
        refused = StartForm({**data, "member": stranger}, scope=scope)
        assert not refused.is_valid() and "member" in refused.errors
        accepted = StartForm({**data, "member": own}, scope=scope)
        assert accepted.is_valid(), accepted.errors
        assert accepted.cleaned_data["member"] == str(own)
        assert accepted.cleaned_data["to_org"] == str(target)
        html = str(accepted["member"])
    assert html.count("<option") == 2 and "王书记（榆阳区某村党支部）" in html
    assert 'data-search-url="/members/options/?source=normal"' in html
