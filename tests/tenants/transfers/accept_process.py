"""Run one acceptance and both counties' steps in a separate process (killed by PID in a test):
``python -m tests.tenants.transfers.accept_process <envelope id>``."""

from __future__ import annotations

import sys

import django


def main(envelope_id: str) -> None:
    django.setup()
    from django_tenants.utils import schema_context

    from shared.accounts.models import User
    from tenants.access.scope import Scope
    from tenants.orgs.models import Organization
    from tenants.transfers.services import envelope_accept
    from tests.tenants.transfers.helpers import settle

    with schema_context("beta"):
        org = Organization.objects.get(name__endswith="某村党支部")
        envelope_accept(
            scope=Scope.system(),
            envelope_id=envelope_id,
            org=org,
            actor=User.objects.get(username="admin"),
        )
    settle(envelope_id)  # both workers' steps, in this process
    print("accepted", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
