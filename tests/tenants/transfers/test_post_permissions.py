"""Transfers by post (issue 16): a 组织委员 (organization) handles the transfers of the
branch; a 联系人 (contact, dues only) and a 宣传委员 (publicity) do not; an ordinary member
sees only their own transfer."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.access.services import post_assign
from tenants.transfers.models import Kind, Transfer
from tenants.transfers.selectors import my_transfers, transfers_visible
from tenants.transfers.services import transfer_start
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, scope, user, village
from zhdj.errors import AccessDenied


def _with_post(post_code: str) -> str:
    member = new_member(name="任职人")
    post_assign(
        scope=Scope.system(),
        org=village(),
        member=member,
        post_code=post_code,
        started_at=date(2024, 1, 1),
    )
    return member.user.username


def _start(as_user: str, member, to_org=None):  # type: ignore[no-untyped-def]
    return transfer_start(
        scope=scope(as_user),
        actor=user(as_user),
        member=member,
        kind=Kind.WITHIN,
        reason="工作调动",
        to_org=to_org or other_village(),
    )


def test_the_organization_committee_member_handles_transfers_of_the_branch(db, alpha):
    with schema_context(alpha.schema):
        organizer = _with_post("organization")
        mover = new_member(name="调动人")
        outside = new_member(other_village(), name="外支部人")
        transfer = _start(organizer, mover)
        assert transfer.state != "pending_branch"  # the branch's approval is implied
        with pytest.raises(AccessDenied):
            _start(organizer, outside, to_org=village())
        assert set(transfers_visible(scope(organizer))) == {transfer}
        transfer_pk = transfer.pk
    client = logged_in(alpha.host, organizer)
    assert client.get("/transfers/").status_code == 200
    assert client.get("/transfers/new/").status_code == 200
    assert client.get(f"/transfers/{transfer_pk}/").status_code == 200


@pytest.mark.parametrize("post_code", ["contact", "publicity"])
def test_posts_without_transfers_manage_cannot_open_transfers(db, alpha, post_code):
    with schema_context(alpha.schema):
        holder = _with_post(post_code)
        assert not scope(holder).has(Perm.TRANSFERS_MANAGE)
        mover = new_member(name="调动人")
        with pytest.raises(AccessDenied):
            _start(holder, mover)
        transfer = _start("branchsec", mover)
        assert not transfers_visible(scope(holder)).exists()
        transfer_pk = transfer.pk
    client = logged_in(alpha.host, holder)
    assert client.get("/transfers/new/").status_code == 403
    assert client.get("/transfers/paper/").status_code == 403
    assert client.get("/transfers/retentions/new/").status_code == 403
    assert client.post(f"/transfers/{transfer_pk}/approve/").status_code == 403
    assert client.get(f"/transfers/{transfer_pk}/").status_code == 404
    response = client.get("/transfers/")
    assert response.status_code == 302 and response["Location"].endswith("/transfers/mine/")
    assert client.get("/api/transfers/inbox/").status_code == 403


def test_an_ordinary_member_sees_only_their_own_transfer(db, alpha):
    with schema_context(alpha.schema):
        own_member = new_member(name="本人")
        other = new_member(name="同支部人")
        own = _start("branchsec", own_member)
        theirs = _start("branchsec", other)
        own_scope = scope(own_member.user.username)
        assert set(transfers_visible(own_scope)) == {own}
        assert set(my_transfers(own_scope)) == {own}
        username, own_pk, theirs_pk = own_member.user.username, own.pk, theirs.pk
        assert Transfer.objects.visible_to(own_scope).count() == 1
    client = logged_in(alpha.host, username)
    assert client.get(f"/transfers/{own_pk}/").status_code == 200
    assert client.get(f"/transfers/{theirs_pk}/").status_code == 404
    rows = client.get("/api/transfers/").json()["results"]
    assert [r["id"] for r in rows] == [own_pk]
    assert client.get("/transfers/mine/").status_code == 200
