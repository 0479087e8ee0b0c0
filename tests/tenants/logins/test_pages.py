"""The logins pages: who sees what, the slip shown once, bulk issue, the person page's
actions; the county administrator made at onboarding (the world's ``admin``, created by
``tenant_onboard``) uses them on day one."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.members.models import Member
from tests.conftest import logged_in
from tests.support.world import ALPHA


def ids(schema: str, name: str) -> int:
    with schema_context(schema):
        return Member.objects.get(name=name).pk


@pytest.fixture
def alpha_branchsec(db):  # type: ignore[no-untyped-def]
    return logged_in(ALPHA.host, "branchsec")


def test_the_onboarded_admin_lists_the_countys_people(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    page = alpha_admin.get("/logins/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("王书记", "李支书", "赵其他"):
        assert name in html
    assert "branchsec" in html and "未开通" in html
    none = alpha_admin.get("/logins/", {"state": "none"}).content.decode()
    assert "赵其他" in none and "李支书" not in none
    assert "赵其他" in alpha_admin.get("/logins/", {"q": "zhao"}).content.decode()
    applicants = alpha_admin.get("/logins/", {"kind": "applicant"})
    assert applicants.status_code == 200


def test_an_ordinary_member_gets_403(alpha_member) -> None:  # type: ignore[no-untyped-def]
    assert alpha_member.get("/logins/").status_code == 403
    assert alpha_member.get("/logins/bulk/").status_code == 403
    target = ids(ALPHA.schema, "赵其他")
    response = alpha_member.post(f"/logins/member/{target}/issue/", {"delivery": "print"})
    assert response.status_code == 403
    with schema_context(ALPHA.schema):
        assert Member.objects.get(pk=target).user_id is None


def test_a_branch_secretary_sees_and_acts_on_their_branch_only(alpha_branchsec) -> None:  # type: ignore[no-untyped-def]
    html = alpha_branchsec.get("/logins/").content.decode()
    assert "李支书" in html and "赵其他" not in html
    other = ids(ALPHA.schema, "赵其他")
    assert alpha_branchsec.get(f"/logins/member/{other}/").status_code == 404
    assert (
        alpha_branchsec.post(f"/logins/member/{other}/issue/", {"delivery": "print"}).status_code
        == 404
    )


def test_issue_on_a_slip_shows_the_password_once(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    target = ids(ALPHA.schema, "赵其他")
    assert "开通账号" in alpha_admin.get(f"/logins/member/{target}/").content.decode()
    response = alpha_admin.post(f"/logins/member/{target}/issue/", {"delivery": "print"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    username = re.search(r'data-testid="slip-username">([^<]+)<', html).group(1)
    password = re.search(r'data-testid="slip-password">([^<]+)<', html).group(1)
    assert username == "zhaoqita"
    with schema_context(ALPHA.schema):
        user = User.objects.get(username=username)
        assert user.check_password(password) and user.must_change_password
    again = alpha_admin.get(f"/logins/member/{target}/").content.decode()
    assert password not in again and "重置密码" in again and "zhaoqita" in again
    # A second issue is refused as already done.
    second = alpha_admin.post(f"/logins/member/{target}/issue/", {"delivery": "print"})
    assert second.status_code == 302


def test_disable_enable_and_reset_from_the_person_page(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    target = ids(ALPHA.schema, "李支书")
    assert alpha_admin.post(f"/logins/member/{target}/disable/").status_code == 302
    with schema_context(ALPHA.schema):
        assert not User.objects.get(username="branchsec").is_active
    assert "已停用" in alpha_admin.get(f"/logins/member/{target}/").content.decode()
    assert alpha_admin.post(f"/logins/member/{target}/enable/").status_code == 302
    reset = alpha_admin.post(f"/logins/member/{target}/reset/", {"delivery": "print"})
    password = re.search(r'data-testid="slip-password">([^<]+)<', reset.content.decode()).group(1)
    with schema_context(ALPHA.schema):
        user = User.objects.get(username="branchsec")
        assert user.is_active and user.check_password(password) and user.must_change_password


def test_a_refused_delivery_names_the_field(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    target = ids(ALPHA.schema, "赵其他")
    response = alpha_admin.post(
        f"/logins/member/{target}/issue/", {"delivery": "pigeon"}, follow=True
    )
    assert "请选择交付方式" in response.content.decode()


def test_bulk_issue_for_a_branch_prints_slips(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    with schema_context(ALPHA.schema):
        from tenants.orgs.models import Organization

        town = Organization.objects.get(name__endswith="某镇党委")
    assert alpha_admin.get("/logins/bulk/").status_code == 200
    response = alpha_admin.post(
        "/logins/bulk/", {"org": town.pk, "delivery": "print", "applicants_too": "on"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="slip"') == 1  # only 赵其他 had no login
    assert "已有账号、未重复开通 3 人" in html
    refused = alpha_admin.post("/logins/bulk/", {"delivery": "print"})
    assert refused.status_code == 400 and "请选择组织" in refused.content.decode()


def test_the_slips_password_signs_in_and_must_be_changed(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import host_client

    target = ids(ALPHA.schema, "赵其他")
    html = alpha_admin.post(
        f"/logins/member/{target}/issue/", {"delivery": "print"}
    ).content.decode()
    password = re.search(r'data-testid="slip-password">([^<]+)<', html).group(1)
    member = host_client(ALPHA.host)
    signed_in = member.post("/accounts/login/", {"username": "zhaoqita", "password": password})
    assert signed_in.status_code == 302
    assert member.get("/").url.startswith("/accounts/password/")
    changed = member.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Mine#Own2026x",
            "new_password2": "Mine#Own2026x",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    home = member.get(changed.url)
    assert home.status_code == 200, (changed.url, home.status_code, home.get("Location"))
