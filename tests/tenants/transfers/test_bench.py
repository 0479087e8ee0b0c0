"""Runs bench/transfers.py against the test world (committed, then purged)."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from bench.transfers import measure
from tenants.transfers.models import Transfer
from tests.tenants.transfers.helpers import purge, send_alpha_to_beta
from tests.tenants.transfers.test_crosscounty import _accept


@pytest.mark.live
def test_benchmark_acceptance_to_visible(django_db_setup, committed):
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
        result = measure(send, _accept, visible, runs=10)
        print("transfer acceptance → visible in receiving county:", result)
        assert result["median_ms"] < 2000
    finally:
        for sent in sent_all:
            purge(sent)
