"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction


@contextmanager
def snapshot() -> Iterator[None]:
    """Run the block's reads against one snapshot (REPEATABLE READ, READ ONLY).

    A page that shows one figure from two queries (the bills paid and the bills still
    payable, say) would otherwise contradict itself when a write such as a payment
    notification commits between them. Inside an existing transaction (tests, a
    service) the outer transaction's isolation applies.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def field_values(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of ``instance`` (plaintext for encrypted fields), to hand
    to ``save_changed`` after the instance was edited in memory."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def save_changed(instance: models.Model, before: dict[str, Any]) -> list[str]:
    """Save only the fields whose value differs from ``before`` (see ``field_values``), and
    nothing at all when none does; returns the names saved.

    Encrypted fields get a fresh random token on every write, so a plain ``save()`` of an
    unchanged form rewrites them and the audit trigger records a change that did not happen.
    Comparing plaintexts here keeps the stored token of an unchanged value. ``auto_now``
    fields are saved along with a real change only.
    """
    changed = [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and not getattr(f, "auto_now", False)
        and getattr(instance, f.attname) != before.get(f.attname)
    ]
    if changed:
        auto = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=changed + auto)
    return changed
