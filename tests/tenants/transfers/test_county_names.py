"""A transfer record names the other county in Chinese, never by its schema (issue 15):
the receiving county's record says where the member came from as 榆阳区 …, not alpha."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.transfers.models import Transfer, TransferAction
from tenants.transfers.services import envelope_accept
from tenants.transfers.services.common import county_name
from tests.support.world import ALPHA, BETA
from tests.tenants.transfers.helpers import send_alpha_to_beta, settle


def test_county_name_under_schema_context_is_the_tenants_name(db):
    with schema_context(ALPHA.schema):
        assert county_name() == ALPHA.name
    connection.set_schema_to_public()


def test_an_accepted_transfer_names_both_counties_in_chinese(db):
    sent = send_alpha_to_beta()
    with schema_context(BETA.schema):
        org = Organization.objects.get(name__endswith="某村党支部")
        envelope_accept(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            org=org,
            actor=User.objects.get(username="admin"),
        )
    settle(sent.envelope_id)
    with schema_context(BETA.schema):
        incoming = Transfer.objects.get(envelope_id=sent.envelope_id)
        assert incoming.from_name.startswith(ALPHA.name)
        assert ALPHA.schema not in incoming.from_name
    with schema_context(ALPHA.schema):
        names = list(
            TransferAction.objects.filter(transfer_id=sent.transfer_id).values_list(
                "actor_name", flat=True
            )
        )
        assert any(n.startswith(BETA.name) for n in names)
        assert not any(BETA.schema in n for n in names)
    connection.set_schema_to_public()
