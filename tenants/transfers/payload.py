"""The transfer payload registry (转接数据登记): what moves with a member between counties.

A cross-county transfer (domain-rules §3) exports the member's data from the sending
schema into the envelope and imports it into the receiving schema, in the one transaction
of the acceptance. Each app that keeps data about a member contributes one *part*, in a
module named ``transfer_payload.py`` in the app (found by autodiscovery, like
``metrics.py``)::

    # tenants/development/transfer_payload.py
    from tenants.transfers.payload import ImportContext, part

    @part("development", order=20)
    class DevelopmentPart:
        @staticmethod
        def export(member):           # sending schema; returns JSON-able data or None
            ...
        @staticmethod
        def load(ctx: ImportContext, data):   # receiving schema; ctx.member exists
            ...

``export`` runs with the sending county's schema active, ``load`` with the receiving
county's: values read through encrypted fields come out in clear and are re-encrypted with
the receiving county's key when saved. ``load`` must only insert rows for ``ctx.member``
(no commits, no tasks, no side effects outside the transaction); if it raises, the whole
acceptance rolls back. The ``members`` part (order 0) creates ``ctx.member``.

The same modules may also answer questions a transfer asks of another app without the
transfers app importing it (the dependency stays one way, the app → transfers)::

    @paid_until_source
    def paid_until(member): ...   # 党费交至 (first day of the month), or None
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from django.utils.module_loading import autodiscover_modules

from shared.accounts.models import User
from tenants.members.models import Member
from tenants.orgs.models import Organization


@dataclass
class ImportContext:
    """What a part's ``load`` knows about the acceptance."""

    envelope_id: UUID
    source_schema: str
    target_org: Organization
    actor: User | None
    member: Member | None = None
    notes: list[str] = field(default_factory=list)  # shown in the acceptance message


class Part(Protocol):
    @staticmethod
    def export(member: Member) -> Any: ...

    @staticmethod
    def load(ctx: ImportContext, data: Any) -> None: ...


@dataclass(frozen=True)
class Registered:
    key: str
    order: int
    export: Callable[[Member], Any]
    load: Callable[[ImportContext, Any], None]


_PARTS: dict[str, Registered] = {}
_discovered = False


def part(key: str, *, order: int = 50) -> Callable[[type], type]:
    """Register a class with static ``export`` and ``load`` as the payload part ``key``."""

    def register(cls: type) -> type:
        existing = _PARTS.get(key)
        if existing is not None and existing.export is not cls.export:
            raise ValueError(f"transfer payload part {key!r} registered twice")
        _PARTS[key] = Registered(key, order, cls.export, cls.load)
        return cls

    return register


def parts() -> list[Registered]:
    global _discovered  # noqa: PLW0603
    if not _discovered:
        autodiscover_modules("transfer_payload")
        _discovered = True
    return sorted(_PARTS.values(), key=lambda p: (p.order, p.key))


_PAID_UNTIL: list[Callable[[Member], date | None]] = []


def paid_until_source(fn: Callable[[Member], date | None]) -> Callable[[Member], date | None]:
    """Register where 党费交至 comes from (the dues app, in its ``transfer_payload.py``)."""
    if fn not in _PAID_UNTIL:
        _PAID_UNTIL.append(fn)
    return fn


def paid_until(member: Member) -> date | None:
    """党费交至 of ``member`` from the registered source, else None (no dues app)."""
    parts()  # discovers the transfer_payload modules, which register the sources
    for source in _PAID_UNTIL:
        value = source(member)
        if value is not None:
            return value
    return None


def export_member(member: Member) -> dict[str, Any]:
    """Every part's data for ``member`` (sending schema active)."""
    out: dict[str, Any] = {}
    for p in parts():
        data = p.export(member)
        if data is not None:
            out[p.key] = data
    return out


def load_member(ctx: ImportContext, data: dict[str, Any]) -> Member:
    """Create the member and everything that belongs to them (receiving schema active).

    A part whose data is missing (the sending county runs an older release) is skipped;
    data for a part this installation does not know is refused, so nothing is dropped.
    """
    known = {p.key for p in parts()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"transfer payload has unknown parts {unknown}")
    for p in parts():
        if p.key in data:
            p.load(ctx, data[p.key])
    if ctx.member is None:
        raise ValueError("transfer payload has no members part")
    return ctx.member


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def from_iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
