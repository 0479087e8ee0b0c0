"""Envelope validity (转接有效期): envelopes carry the sending county's validity, expire
when not accepted in time (idempotent sweep, real worker too), cannot be accepted
afterwards, and the sending committee may resend them."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.interchange.models import TransferEnvelope
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.rules.services import rule_override_set
from tenants.transfers.models import State, Transfer
from tenants.transfers.services import envelope_accept, transfer_resend
from tenants.transfers.tasks import expire_envelopes
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import scope, user
from tests.tenants.transfers.helpers import outcome, purge, send_alpha_to_beta, settle
from zhdj.errors import ApplicationError
from zhdj.tasks import for_each_active_tenant


def _age(envelope_id, days: int = 11) -> None:  # type: ignore[no-untyped-def]
    """Pretend the envelope was sent ``days`` ago (validity moves with it)."""
    envelope = TransferEnvelope.objects.get(pk=envelope_id)
    TransferEnvelope.objects.filter(pk=envelope_id).update(
        valid_until=envelope.valid_until - timedelta(days=days)
    )


def _beta_branch() -> Organization:
    return Organization.objects.get(name__endswith="某村党支部")


def test_the_envelope_carries_the_sending_countys_validity(db, alpha):
    sent = send_alpha_to_beta(records=False)
    envelope = TransferEnvelope.objects.get(pk=sent.envelope_id)
    assert envelope.valid_until == timezone.localdate() + timedelta(days=10)
    with schema_context(alpha.schema):
        rule_override_set(
            scope=Scope.system(),
            key="transfers.letter_validity_days_city",
            value=7,
            reason="本县规定 7 天",
            actor=user("admin"),
        )
    again = send_alpha_to_beta(records=False)
    envelope = TransferEnvelope.objects.get(pk=again.envelope_id)
    assert envelope.valid_until == timezone.localdate() + timedelta(days=7)


def test_an_envelope_past_its_validity_cannot_be_accepted_and_nothing_is_written(db, beta):
    sent = send_alpha_to_beta(records=False)
    _age(sent.envelope_id)
    before = outcome(sent)
    with schema_context(beta.schema), pytest.raises(ApplicationError) as excinfo:
        envelope_accept(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            org=_beta_branch(),
            actor=user("admin"),
        )
    assert "超过有效期" in excinfo.value.message and "重新发出" in excinfo.value.message
    after = outcome(sent)
    assert after == before
    assert after.alpha_status == "normal" and after.alpha_user_active
    assert after.beta_members == [] and after.envelope_state == "sent"
    assert after.alpha_transfer_state == State.PENDING_RECEIVER


def test_the_sweep_expires_once_and_only_the_sending_countys_envelopes(db, alpha, beta):
    sent = send_alpha_to_beta(records=False)
    fresh = send_alpha_to_beta(records=False)
    _age(sent.envelope_id)
    with schema_context(beta.schema):
        assert expire_envelopes() == 0  # beta did not send it: not beta's to expire
    with schema_context(alpha.schema):
        assert expire_envelopes() == 1
        assert expire_envelopes() == 0  # idempotent
        transfer = Transfer.objects.get(pk=sent.transfer_id)
        assert transfer.state == State.EXPIRED
        assert [a.action for a in transfer.actions.all()][-1] == "expire"
        assert Transfer.objects.get(pk=fresh.transfer_id).state == State.PENDING_RECEIVER
    assert TransferEnvelope.objects.get(pk=sent.envelope_id).state == "expired"
    assert TransferEnvelope.objects.get(pk=fresh.envelope_id).state == "sent"
    # afterwards: refused with a clear message, nothing written
    with schema_context(beta.schema), pytest.raises(ApplicationError) as excinfo:
        envelope_accept(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            org=_beta_branch(),
            actor=user("admin"),
        )
    assert "超过有效期" in excinfo.value.message
    assert outcome(sent).beta_members == []


def test_the_pages_show_expiry_on_both_sides_and_the_sender_resends(db, alpha, beta):
    sent = send_alpha_to_beta(records=False)
    _age(sent.envelope_id)
    beta_admin = logged_in(beta.host, "admin")
    page = beta_admin.get(f"/transfers/inbox/{sent.envelope_id}/").content.decode()
    assert "超过有效期" in page and 'data-testid="accept"' not in page
    with schema_context(beta.schema):
        org = _beta_branch().pk
    refused = beta_admin.post(
        f"/transfers/inbox/{sent.envelope_id}/", {"org": org, "outcome": "accept"}
    )
    assert refused.status_code == 200 and "超过有效期" in refused.content.decode()
    with schema_context(alpha.schema):
        expire_envelopes()
    alpha_admin = logged_in(alpha.host, "admin")
    detail = alpha_admin.get(f"/transfers/{sent.transfer_id}/").content.decode()
    assert "逾期未接收" in detail and 'data-testid="resend"' in detail
    # a branch secretary is not the committee: no resend
    assert (
        'data-testid="resend"'
        not in logged_in(alpha.host, "branchsec")
        .get(f"/transfers/{sent.transfer_id}/")
        .content.decode()
    )
    alpha_admin.post(f"/transfers/{sent.transfer_id}/resend/", {"note": "党员已联系接收方"})
    envelope = TransferEnvelope.objects.get(pk=sent.envelope_id)
    assert envelope.state == "sent"
    assert envelope.valid_until == timezone.localdate() + timedelta(days=10)
    accepted = beta_admin.post(
        f"/transfers/inbox/{sent.envelope_id}/", {"org": org, "outcome": "accept"}, follow=True
    )
    assert "已确认接收" in accepted.content.decode()
    settle(sent.envelope_id)
    done = outcome(sent)
    assert done.active == 1 and done.alpha_transfer_state == State.COMPLETED


def test_only_expired_transfers_are_resent(db, alpha):
    sent = send_alpha_to_beta(records=False)
    with schema_context(alpha.schema):
        transfer = Transfer.objects.get(pk=sent.transfer_id)
        with pytest.raises(ApplicationError) as excinfo:
            transfer_resend(
                scope=scope("admin"),
                actor=user("admin"),
                transfer=transfer,
            )
    assert "逾期未接收" in excinfo.value.message


@pytest.mark.live
def test_the_beat_fan_out_expires_envelopes_on_a_real_worker(
    celery_worker_process, committed, alpha
):
    sent = send_alpha_to_beta(records=False)
    try:
        _age(sent.envelope_id)
        for_each_active_tenant.delay("tenants.transfers.tasks.expire_envelopes", 0).get(timeout=30)
        deadline = time.time() + 30
        while TransferEnvelope.objects.get(pk=sent.envelope_id).state == "sent":
            assert time.time() < deadline, "the envelope was not expired by the worker"
            time.sleep(0.3)
        with schema_context(alpha.schema):
            assert Transfer.objects.get(pk=sent.transfer_id).state == State.EXPIRED
    finally:
        purge(sent)
