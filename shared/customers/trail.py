"""The lifecycle trail of the counties (区县变更记录): who did what to which county, when
and from where, for the city's auditor.

Every lifecycle service (domains, suspend, resume, offboard) writes one row here in its own
transaction, so a change and its record commit together. Rows are append-only (a trigger
refuses UPDATE, DELETE and TRUNCATE, migration 0003).
"""

from __future__ import annotations

import getpass
import shlex
import socket
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from shared.customers.models import LifecycleEvent, Tenant
from zhdj.web.client import client_ip
from zhdj.web.history import current_request

Action = LifecycleEvent.Action
Source = LifecycleEvent.Source


@dataclass(frozen=True)
class Actor:
    """Who acts and from where: a city login on the ops page (its address and page) or an
    operator at the command line (the machine's user and host, and the command)."""

    username: str
    source: str
    user_id: int | None = None
    ip: str | None = None
    origin: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = getattr(request, "user", None)
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        return cls(
            username=user.get_username() if signed_in else "",
            source=Source.PAGE,
            user_id=user.pk if signed_in else None,
            ip=client_ip(request),
            origin=request.path[:300],
        )

    @classmethod
    def command(cls, argv: list[str], *, by: str = "") -> Actor:
        """The command line: ``by`` (the operator's name, if given) or the system user."""
        try:
            system_user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            system_user = "?"
        who = (
            f"{by}（{system_user}@{socket.gethostname()}）"
            if by
            else (f"{system_user}@{socket.gethostname()}")
        )
        return cls(username=who[:100], source=Source.COMMAND, origin=shlex.join(argv)[:300])

    def as_params(self) -> dict[str, Any]:
        return asdict(self)


def current_actor() -> Actor:
    """The page's user when a request is being answered, else the command line."""
    request = current_request.get()
    if request is not None:
        return Actor.from_request(request)
    return Actor.command(["manage.py"])


def lifecycle_record(
    action: str, *, tenant: Tenant, actor: Actor | None = None, detail: str = "", ok: bool = True
) -> LifecycleEvent:
    """Write one row of the trail (in the caller's transaction: if the change rolls back,
    so does its record)."""
    actor = actor or current_actor()
    return LifecycleEvent.objects.create(
        action=action,
        tenant=tenant,
        tenant_name=tenant.name,
        schema_name=tenant.schema_name,
        user_id=actor.user_id,
        username=actor.username[:100],
        source=actor.source,
        ip=actor.ip,
        origin=actor.origin[:300],
        detail=detail[:500],
        ok=ok,
    )


def lifecycle_events(*, action: str = "", county: str = "") -> QuerySet[LifecycleEvent]:
    """The trail, newest first, optionally one action or the counties whose name or
    identifier contains ``county``."""
    from django.db.models import Q

    qs = LifecycleEvent.objects.all()
    if action:
        qs = qs.filter(action=action)
    if county:
        qs = qs.filter(Q(tenant_name__icontains=county) | Q(schema_name__icontains=county))
    return qs.order_by("-at", "-id")
