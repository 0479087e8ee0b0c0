"""The harness of bench/transfers.py: the measurement against the test world (committed,
then purged), on the production path: the receiving county's acceptance in its request,
then a real Celery worker runs the sending county's step and the receiving county's. In
the suite it runs a few rounds and checks only that every accepted member became visible;
its speed is a benchmark figure, never an assertion."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from bench.transfers import measure
from tenants.transfers.models import Transfer
from tests.tenants.transfers.helpers import purge, send_alpha_to_beta
from tests.tenants.transfers.test_crosscounty import _claim


@pytest.mark.live
def test_benchmark_acceptance_to_visible(django_db_setup, celery_worker_process, committed):
    sent_all = []

    def send():  # type: ignore[no-untyped-def]
        sent = send_alpha_to_beta()
        sent_all.append(sent)
        return sent.envelope_id

    def visible(envelope_id) -> bool:  # type: ignore[no-untyped-def]
        connection.close()  # a fresh session, like a new request in the receiving county
        with schema_context("beta"):
            return Transfer.objects.filter(envelope_id=envelope_id, member__isnull=False).exists()

    try:
        bench = "ZHDJ_BENCH_TRANSFER_RUNS" in os.environ  # run by bench/transfers.py
        runs = int(os.environ.get("ZHDJ_BENCH_TRANSFER_RUNS", "3"))
        result = measure(send, _claim, visible, runs=runs, write=bench)
        print("transfer acceptance → visible in receiving county:", result)
        assert result["runs"] == runs == len(sent_all)
    finally:
        for sent in sent_all:
            purge(sent)
