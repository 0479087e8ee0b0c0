"""Every metric's dimensions are what people read (issue 15): a development stage is
入党申请人, not ``applicant``; a payment channel 支付宝, not ``alipay``; a transfer group
the sending organization's name, not its id. Checked over every registered metric, with
the county's demo data of each app in place, so a new metric cannot bring codes back."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared.rollups.registry import collection, metrics

pytestmark = pytest.mark.django_db

RAW = re.compile(r"^(?:[A-Za-z_]+|\d+)$")  # a code or an id; months (2026-09) are fine


def test_no_metric_has_a_code_or_an_id_for_a_dimension(alpha, settings, tmp_path):
    from tenants.development.demo import seed_county as seed_development
    from tenants.dues.demo import seed_county as seed_dues
    from tenants.transfers.demo import seed_county as seed_transfers

    settings.MEDIA_ROOT = str(tmp_path / "media")
    with schema_context(alpha.schema):
        seed_development()
        seed_dues()
        seed_transfers()
        with collection():
            seen = {}
            for m in metrics():
                rows = [d for d, _ in m.compute()]
                if m.per_org is not None:
                    rows += [d for _, d, _ in m.per_org()]
                seen[m.key] = rows
    connection.set_schema_to_public()
    raw = {key: [d for d in dims if RAW.match(d)] for key, dims in seen.items()}
    assert {k: v for k, v in raw.items() if v} == {}
    # The data was there to be labelled.
    assert "入党申请人" in seen["development.by_stage"]
    assert seen["transfers.pending"]
