"""Bulk issue of 1,000 logins through the SMS double: every message arrives, signed with
the test key (the double records only what verifies), each with a password that logs in.
Timed in bench/logins.py, not here."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from shared.accounts.models import User
from tenants.logins.services import SMS, logins_issue_bulk
from tests.tenants.logins.conftest import add_members, new_branch, scope_of


def test_a_thousand_logins_by_sms(in_alpha, double, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    branch = new_branch("千人党支部")
    members = add_members(branch, 1000)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = logins_issue_bulk(scope=scope_of("admin"), org=branch, delivery=SMS)
    assert len(outcome.issued) == 1000 and outcome.sent == 1000
    assert not outcome.skipped and not outcome.no_phone
    assert double.gateway.refused == []
    assert len(double.messages) == 1000
    by_phone = {m.phone: m for m in double.messages}
    assert by_phone.keys() == {m.phone for m in members}
    hashes = dict(
        User.objects.filter(username__in=[m.params["login"] for m in double.messages]).values_list(
            "username", "password"
        )
    )
    assert len(hashes) == 1000
    assert all(
        check_password(m.params["password"], hashes[m.params["login"]]) for m in double.messages
    )
    assert User.objects.filter(username__in=hashes, must_change_password=True).count() == 1000
