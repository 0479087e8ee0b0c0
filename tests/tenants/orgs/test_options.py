from __future__ import annotations

from django_tenants.utils import schema_context

from tenants.orgs.models import Organization
from tenants.orgs.selectors import org_tree_version
from tests.conftest import logged_in


def _names(client) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/orgs/options/?v=1")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    return [name for _, name, _ in response.json()["options"]]


def test_options_follow_the_users_scope(db, alpha):  # type: ignore[no-untyped-def]
    admin = _names(logged_in(alpha.host, "admin"))
    branch = _names(logged_in(alpha.host, "branchsec"))
    with schema_context(alpha.schema):
        assert len(admin) == Organization.objects.filter(is_active=True).count()
    assert branch == [n for n in admin if n.endswith("某村党支部") and "另一" not in n]


def test_options_are_refused_to_other_counties_and_anonymous(db, alpha, beta):  # type: ignore[no-untyped-def]
    beta_names = _names(logged_in(beta.host, "admin"))
    assert all("榆阳" not in n for n in beta_names)
    from django.test import Client

    assert Client(HTTP_HOST=alpha.host).get("/orgs/options/").status_code == 302


def test_tree_version_moves_with_every_org_write(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        before = org_tree_version()
        org = Organization.objects.filter(is_active=True).last()
        Organization.objects.filter(pk=org.pk).update(short_name="改")
        assert org_tree_version() > before


def test_member_list_sends_only_the_chosen_option(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        town = Organization.objects.get(name__endswith="某镇党委")
        total = Organization.objects.filter(is_active=True).count()
    html = logged_in(alpha.host, "admin").get(f"/members/?org={town.pk}").content.decode()
    select = html[html.index('<select name="org"') :]
    select = select[: select.index("</select>")]
    assert select.count("<option") == 2 < total + 1
    assert f'value="{town.pk}" selected' in select and "data-search-url" in select
    assert "榆阳区某镇党委" in select
