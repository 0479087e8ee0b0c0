"""Cross-county transfers (跨区县转接): never two active members, exactly one once the
envelope is settled, whatever happens in between."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.interchange.models import TransferEnvelope
from tenants.access.scope import Scope
from tenants.members.models import MemberStatusChange
from tenants.members.records import FamilyRecord, HonorRecord, PartyExperienceRecord
from tenants.orgs.models import Organization
from tenants.transfers.faults import STEPS, InjectedCrash, crash_at
from tenants.transfers.models import Kind, State, Transfer
from tenants.transfers.services import envelope_accept, envelope_return, envelopes_resume
from tests.support.live import ROOT, other_workers_paused, process_env
from tests.tenants.transfers.conftest import village
from tests.tenants.transfers.helpers import outcome, purge, send_alpha_to_beta, settle
from zhdj.errors import ApplicationError


def _claim(envelope_id, org_name: str = "某村党支部"):  # type: ignore[no-untyped-def]
    """Step 1 only: beta's committee accepts (as the inbox page does)."""
    with schema_context("beta"):
        org = Organization.objects.get(name__endswith=org_name)
        return envelope_accept(
            scope=Scope.system(),
            envelope_id=envelope_id,
            org=org,
            actor=User.objects.get(username="admin"),
        )


def _accept(envelope_id, org_name: str = "某村党支部"):  # type: ignore[no-untyped-def]
    """Beta accepts and both counties' workers run their steps: the receiving transfer."""
    _claim(envelope_id, org_name)
    return settle(envelope_id)


def _assert_moved(sent) -> None:  # type: ignore[no-untyped-def]
    result = outcome(sent)
    assert result.active == 1
    assert result.alpha_status == "transferred_out"
    assert result.alpha_transfer_state == State.COMPLETED
    assert result.alpha_user_active is False
    assert result.envelope_state == TransferEnvelope.State.ACCEPTED
    (member,) = result.beta_members
    with schema_context("beta"):
        assert member.org.name.endswith("某村党支部")
        assert FamilyRecord.objects.filter(member=member).count() == 1
        assert HonorRecord.objects.filter(member=member).count() == 1
        incoming = Transfer.objects.get(envelope_id=sent.envelope_id)
        assert incoming.kind == Kind.COUNTY_IN and incoming.member_id == member.pk
        # Issue 17: neither the login nor its password hash travels; the receiving county
        # issues a new login (tenants/logins lists the member as 未开通).
        assert member.user is None
        assert _alpha_password(sent) not in set(User.objects.values_list("password", flat=True))
        assert "开通新账号" in incoming.actions.filter(action="accept").get().note
    with schema_context("alpha"):
        changes = MemberStatusChange.objects.filter(member_id=sent.member_id)
        assert [c.action for c in changes] == ["transfer_out"]


def _alpha_password(sent) -> str:  # type: ignore[no-untyped-def]
    with schema_context("alpha"):
        return User.objects.get(pk=sent.user_id).password


def test_a_member_moves_to_another_county_with_records_account_and_dues(db):
    sent = send_alpha_to_beta()
    with schema_context("alpha"):
        Transfer.objects.filter(pk=sent.transfer_id).update(dues_paid_until="2026-03-01")
    transfer = _accept(sent.envelope_id)
    _assert_moved(sent)
    assert str(transfer.dues_paid_until) == "2026-03-01"
    with schema_context("beta"):
        assert transfer.member.user is None
        # Re-encrypted with beta's key: the stored token decrypts in beta only.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number FROM members_member WHERE id = %s", [transfer.member_id]
            )
            token = cursor.fetchone()[0]
        assert token.startswith("v1") and sent.id_number not in token


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_never_leaves_two_active_members(db, step):
    sent = send_alpha_to_beta()
    with crash_at(step), pytest.raises(InjectedCrash):
        _accept(sent.envelope_id)
    before = outcome(sent)
    assert before.active <= 1 and len(before.beta_members) <= 1
    if before.envelope_state in ("sent", "accepting"):  # the sending county has not acted
        assert before.active == 1 and before.alpha_status == "normal"
        assert before.alpha_transfer_state == State.PENDING_RECEIVER and before.alpha_user_active
        assert before.beta_members == []
    else:  # released: in transit, closed in alpha, not yet in beta
        assert before.envelope_state == "released" and before.active == 0
        assert before.alpha_status == "transferred_out" and before.beta_members == []
    _accept(sent.envelope_id)  # the retry (or the workers' next run) finishes it
    _assert_moved(sent)


def test_the_sweep_resumes_steps_whose_hand_off_was_lost(db):
    sent = send_alpha_to_beta()
    _claim(sent.envelope_id)  # the task for alpha was never sent (no on-commit here)
    with schema_context("beta"):
        assert envelopes_resume() == 0  # nothing is beta's to do yet
    with schema_context("alpha"):
        assert envelopes_resume() == 1 and envelopes_resume() == 0
    assert outcome(sent).envelope_state == "released"
    with schema_context("beta"):
        assert envelopes_resume() == 1 and envelopes_resume() == 0
    _assert_moved(sent)


def test_the_accepting_user_is_told_when_the_member_has_arrived(db):
    from tenants.notifications.models import Notification

    sent = send_alpha_to_beta()
    transfer = _accept(sent.envelope_id)
    with schema_context("beta"):
        note = Notification.objects.filter(recipient__username="admin").latest("pk")
        assert note.title == f"{transfer.member.name}的组织关系已转入"
        assert note.url == f"/transfers/{transfer.pk}/"
        # Recorded already done: its processing time is 0 days, never "-0.0 天".
        from tenants.transfers.selectors import figures

        assert figures(Transfer.objects.filter(pk=transfer.pk)).average_days == 0.0


def test_retries_and_double_clicks_return_the_first_acceptance(db):
    sent = send_alpha_to_beta()
    first = _accept(sent.envelope_id)
    again = _accept(sent.envelope_id, "另一村党支部")
    assert again.pk == first.pk
    _assert_moved(sent)


def test_posts_end_and_travel_as_party_experience(db):
    from datetime import date

    from tenants.access.models import Post

    sent = send_alpha_to_beta(records=False)
    with schema_context("alpha"):
        Post.objects.create(
            org=village(),
            member_id=sent.member_id,
            post_code="organization",
            started_at=date(2020, 1, 1),
        )
    _accept(sent.envelope_id)
    with schema_context("alpha"):
        assert not Post.objects.filter(member_id=sent.member_id, ended_at__isnull=True).exists()
    (member,) = outcome(sent).beta_members
    with schema_context("beta"):
        (exp,) = PartyExperienceRecord.objects.filter(member=member)
        assert exp.org_name.endswith("某村党支部") and exp.ended_at is not None


def test_a_returned_envelope_needs_a_reason_and_returns_the_sending_transfer(db):
    sent = send_alpha_to_beta()
    with schema_context("beta"):
        admin = User.objects.get(username="admin")
        with pytest.raises(ApplicationError) as excinfo:
            envelope_return(
                scope=Scope.system(), envelope_id=sent.envelope_id, actor=admin, reason=" "
            )
        assert excinfo.value.field == "reason"
        envelope_return(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            actor=admin,
            reason="接收单位信息有误",
        )
    assert outcome(sent).alpha_transfer_state == State.PENDING_RECEIVER  # alpha's step next
    settle(sent.envelope_id)
    settle(sent.envelope_id)  # a redelivered task changes nothing
    result = outcome(sent)
    assert result.alpha_transfer_state == State.RETURNED and result.alpha_status == "normal"
    with pytest.raises(ApplicationError):
        _accept(sent.envelope_id)
    with schema_context("alpha"):
        assert Transfer.objects.get(pk=sent.transfer_id).return_reason == "接收单位信息有误"


def test_an_organization_that_cannot_hold_members_is_refused(db):
    sent = send_alpha_to_beta()
    with pytest.raises(ApplicationError) as excinfo:
        _accept(sent.envelope_id, "某镇党委")
    assert excinfo.value.field == "org" and "不能接收党员" in excinfo.value.message
    assert outcome(sent).envelope_state == TransferEnvelope.State.SENT


def test_alpha_cannot_accept_an_envelope_addressed_to_beta(db):
    sent = send_alpha_to_beta()
    with schema_context("alpha"), pytest.raises(ApplicationError):
        envelope_accept(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            org=village(),
            actor=User.objects.get(username="admin"),
        )


@pytest.mark.live
def test_two_users_accepting_at_once_create_one_member(django_db_setup, committed):
    sent = send_alpha_to_beta()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def accept() -> None:
        try:
            barrier.wait()
            results.append(_claim(sent.envelope_id).pk)
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    try:
        with other_workers_paused():  # the session's worker must not run the steps first
            _run_together(accept)
            assert results == [sent.envelope_id, sent.envelope_id], results
            assert outcome(sent).envelope_state == "accepting"
            # Both steps twice at once (a redelivered task beside the first): one member.
            _run_together(lambda: _settle_in_thread(sent))
        _assert_moved(sent)
    finally:
        purge(sent)


def _run_together(target) -> None:  # type: ignore[no-untyped-def]
    threads = [threading.Thread(target=target) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def _settle_in_thread(sent) -> None:  # type: ignore[no-untyped-def]
    try:
        settle(sent.envelope_id)
    finally:
        connection.close()


@pytest.mark.live
@pytest.mark.parametrize("step", ["envelope_claimed", "source_closed", "envelope_decided"])
def test_killing_the_accepting_process_mid_transaction_loses_nothing(
    django_db_setup, committed, step
):
    sent = send_alpha_to_beta()
    paused = other_workers_paused()  # the session's worker must not run the steps first
    paused.__enter__()
    env = dict(process_env(), ZHDJ_TRANSFER_PAUSE_AT=step)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.tenants.transfers.accept_process", str(sent.envelope_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        line = proc.stdout.readline().decode()  # blocks until the pause
        assert f"paused at {step}" in line, line + proc.stdout.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while _locked(sent):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        before = outcome(sent)
        assert before.active <= 1 and before.beta_members == []
        assert before.envelope_state != "accepted"
        _accept(sent.envelope_id)
        _assert_moved(sent)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        paused.__exit__(None, None, None)
        purge(sent)


def _locked(sent) -> bool:  # type: ignore[no-untyped-def]
    """Whether the killed backend still holds the envelope's row lock."""
    try:
        from django.db import transaction

        with transaction.atomic():
            TransferEnvelope.objects.select_for_update(nowait=True).get(pk=sent.envelope_id)
        return False
    except Exception:
        return True


def test_a_broker_outage_at_acceptance_loses_no_step(
    db, beta, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Redis down when the page hands the step on: the acceptance still stands (the page
    answers as usual), the failed send is logged, and the beat's sweep does the steps."""
    from kombu.exceptions import OperationalError

    from tests.conftest import logged_in
    from zhdj.celery import app

    sent = send_alpha_to_beta()
    client = logged_in(beta.host, "admin")
    with schema_context("beta"):
        org = Organization.objects.get(name__endswith="某村党支部").pk

    def broker_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("Error 111 connecting to redis: Connection refused.")

    monkeypatch.setattr(app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/transfers/inbox/{sent.envelope_id}/", {"org": org, "outcome": "accept"}
        )
    assert page.status_code == 302 and page["Location"] == "/transfers/?tab=inbox"
    assert outcome(sent).envelope_state == "accepting"
    assert any("Connection refused" in str(r.exc_info) for r in caplog.records if r.exc_info)
    monkeypatch.undo()
    with schema_context("alpha"):
        assert envelopes_resume() == 1
    with schema_context("beta"):
        assert envelopes_resume() == 1
    _assert_moved(sent)
