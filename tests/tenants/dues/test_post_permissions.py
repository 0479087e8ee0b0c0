"""Dues by post (issue 16): a 联系人 (contact) whose post carries dues.manage handles the
dues of their branch and nothing else; an ordinary member sees only their own bills; the
scope of one county never reaches another."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope, scope_for
from tenants.access.services import post_assign
from tenants.dues import selectors
from tenants.dues.models import DuesBill
from tenants.dues.payments import payment_offline_record
from tenants.dues.services import dues_base_set
from tests.conftest import host_client, logged_in
from tests.support.dues import bill_member
from tests.support.world import PASSWORD
from tests.tenants.transfers.conftest import new_member, other_village, village
from zhdj.errors import AccessDenied


def _with_post(post_code: str, org_name: str = "某村党支部") -> str:
    """A new member of 某村党支部 with a login and ``post_code`` in ``org_name``."""
    member = new_member(name="任职人")
    org = village() if org_name == "某村党支部" else other_village()
    post_assign(
        scope=Scope.system(),
        org=org,
        member=member,
        post_code=post_code,
        started_at=date(2024, 1, 1),
    )
    return member.user.username


@pytest.fixture
def contact(db, alpha) -> str:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        name = _with_post("contact")
    connection.set_schema_to_public()
    return name


def test_the_contact_post_carries_dues_but_not_transfers(db, alpha, contact):
    with schema_context(alpha.schema):
        scope = scope_for(User.objects.get(username=contact))
        assert scope.has(Perm.DUES_MANAGE) and not scope.has(Perm.TRANSFERS_MANAGE)
        assert scope.can(Perm.DUES_MANAGE, village())
        assert not scope.can(Perm.DUES_MANAGE, other_village())


def test_a_contact_handles_the_dues_of_the_branch_only(db, alpha, contact):
    with schema_context(alpha.schema):
        mine = bill_member(alpha.schema, base_fen=420000)  # "member", in 某村党支部
        outside = new_member(other_village(), name="外支部人")
        dues_base_set(
            scope=Scope.system(),
            member=outside,
            category_code="in_service",
            base_fen=300000,
            from_month=date(2026, 1, 1),
            actor=None,
        )
        scope = scope_for(User.objects.get(username=contact))
        month = DuesBill.objects.filter(member=mine).values_list("month", flat=True).first()
        # The service checks the post itself, whatever page called it.
        payment_offline_record(
            scope=scope,
            member=mine,
            channel="cash",
            receipt_no="LX-001",
            months=[month],
            actor=User.objects.get(username=contact),
        )
        with pytest.raises(AccessDenied):
            payment_offline_record(
                scope=scope,
                member=outside,
                channel="cash",
                receipt_no="LX-002",
                months=[],
                actor=User.objects.get(username=contact),
            )
        assert selectors.scope_member(scope, outside.pk) is None
        mine_pk, outside_pk = mine.pk, outside.pk
    client = logged_in(alpha.host, contact)
    rows = client.get("/api/dues/bills/").json()["results"]
    assert mine_pk in {r["member"] for r in rows}
    assert outside_pk not in {r["member"] for r in rows}
    assert client.get("/dues/").status_code == 200
    assert client.get(f"/dues/members/{mine_pk}/").status_code == 200
    assert client.get(f"/dues/members/{outside_pk}/").status_code == 404
    # Transfers are not the contact's work: the forms refuse, the list is their own page.
    assert client.get("/transfers/new/").status_code == 403
    assert client.get("/transfers/proofs/new/").status_code == 403
    response = client.get("/transfers/")
    assert response.status_code == 302 and response["Location"].endswith("/transfers/mine/")


def test_an_ordinary_member_sees_only_their_own_bills(db, alpha):
    with schema_context(alpha.schema):
        own = bill_member(alpha.schema, base_fen=420000)
        other = new_member(name="同支部人")
        dues_base_set(
            scope=Scope.system(),
            member=other,
            category_code="in_service",
            base_fen=300000,
            from_month=date(2026, 1, 1),
            actor=None,
        )
        scope = scope_for(User.objects.get(username="member"))
        assert not scope.has(Perm.DUES_MANAGE)
        visible = set(DuesBill.objects.visible_to(scope).values_list("member_id", flat=True))
        assert visible == {own.pk}
        assert selectors.scope_member(scope, own.pk) is None  # not a manager of themselves
        other_pk = other.pk
    client = logged_in(alpha.host, "member")
    rows = client.get("/api/dues/bills/").json()["results"]
    assert rows and {r["member"] for r in rows} == {own.pk}
    assert client.get("/api/dues/payments/").status_code == 200
    assert client.get(f"/dues/members/{other_pk}/").status_code == 403
    assert client.post("/dues/remind/").status_code == 403
    assert client.get("/dues/").status_code == 302  # to 我的党费
    assert client.get("/dues/mine/").status_code == 200


def test_billing_takes_a_scope_and_only_the_county_bills_the_county(db, alpha):
    from tenants.dues.billing import arrears_scan, bills_backfill, bills_generate

    with schema_context(alpha.schema):
        branchsec = scope_for(User.objects.get(username="branchsec"))
        with pytest.raises(AccessDenied):
            bills_generate(scope=branchsec, month=date(2026, 3, 1))
        with pytest.raises(AccessDenied):
            arrears_scan(scope=branchsec, through=date(2026, 3, 1))
        outside = new_member(other_village(), name="外支部人")
        with pytest.raises(AccessDenied):
            bills_backfill(scope=branchsec, member=outside)
        assert bills_generate(scope=Scope.system(), month=date(2026, 3, 1)).month == date(
            2026, 3, 1
        )


def test_the_scope_of_one_county_never_reaches_the_other(db, alpha, beta, contact):
    with schema_context(beta.schema):
        bill_member(beta.schema, base_fen=420000)  # 横山区党员, billed in beta
        beta_contact = _with_post("contact")
    with schema_context(alpha.schema):
        bill_member(alpha.schema, base_fen=420000)
    connection.set_schema_to_public()
    # A login is its county's: alpha's contact does not exist on beta's host.
    response = host_client(beta.host).post(
        "/accounts/login/", {"username": contact, "password": PASSWORD}
    )
    assert response.status_code != 302
    alpha_page = logged_in(alpha.host, contact).get("/dues/").content.decode()
    beta_page = logged_in(beta.host, beta_contact).get("/dues/").content.decode()
    assert "榆阳区党员" in alpha_page and "横山区党员" not in alpha_page
    assert "横山区党员" in beta_page and "榆阳区党员" not in beta_page
