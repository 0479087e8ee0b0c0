"""A county restored from an archive replays its side of the transfers made since
(``replay_envelopes``): the envelopes in public are the record of what happened."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from shared.interchange.models import TransferEnvelope
from tenants.members.models import Member
from tenants.transfers.models import State, Transfer
from tenants.transfers.services.envelope_replay import envelopes_replay
from tests.tenants.transfers.helpers import outcome, send_alpha_to_beta
from tests.tenants.transfers.test_crosscounty import _accept, _claim

pytestmark = pytest.mark.django_db
Envelope = TransferEnvelope.State


def test_a_member_who_left_after_the_archive_leaves_the_restored_county_again():
    sent = send_alpha_to_beta(records=False)
    _claim(sent.envelope_id)
    # Public went on (released, then accepted in beta) while alpha is as its archive was:
    # its transfer still waits and the member is active there.
    TransferEnvelope.objects.filter(pk=sent.envelope_id).update(state=Envelope.ACCEPTED)
    with schema_context("alpha"):
        listed = envelopes_replay(apply=False)
        assert len(listed.left) == 1 and not listed.arrived
        assert Member.objects.get(pk=sent.member_id).party_status_code == "normal"
        envelopes_replay(apply=True)
        assert Transfer.objects.get(pk=sent.transfer_id).state == State.COMPLETED
        assert Member.objects.get(pk=sent.member_id).party_status_code == "transferred_out"
        assert not envelopes_replay(apply=True)  # twice changes nothing


def test_a_member_who_arrived_after_the_archive_arrives_again(capsys):
    sent = send_alpha_to_beta(records=False)
    _accept(sent.envelope_id)
    with schema_context("beta"), connection.cursor() as cursor:
        # beta restored from before the arrival: neither the transfer nor the member (the
        # append-only triggers off for this simulation only).
        cursor.execute("SET LOCAL session_replication_role = replica")
        incoming = Transfer.objects.get(envelope_id=sent.envelope_id)
        member_id = incoming.member_id
        incoming.actions.all().delete()
        incoming.delete()
        Member.objects.filter(pk=member_id).delete()
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    call_command("replay_envelopes", "--schema", "beta")
    assert "备份后转入本县（待补记）：1" in capsys.readouterr().out
    call_command("replay_envelopes", "--schema", "beta", "--apply")
    assert "备份后转入本县（已补记）：1" in capsys.readouterr().out
    result = outcome(sent)
    assert result.active == 1 and len(result.beta_members) == 1
    envelope = TransferEnvelope.objects.get(pk=sent.envelope_id)
    assert envelope.accepted_member_id == result.beta_members[0].pk
    call_command("replay_envelopes", "--schema", "beta", "--apply")
    assert "没有需要补记" in capsys.readouterr().out


def test_a_transfer_the_county_no_longer_has_is_listed_for_the_operator(capsys):
    sent = send_alpha_to_beta(records=False)
    TransferEnvelope.objects.filter(pk=sent.envelope_id).update(source_transfer_id=10**9)
    call_command("replay_envelopes", "--schema", "alpha", "--apply")
    assert "本县已无记录的转出（需人工核对）：1" in capsys.readouterr().out
