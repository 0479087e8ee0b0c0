"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


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
