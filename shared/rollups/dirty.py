"""Mark the current county's rollup dirty after a change (debounced refresh).

Tenant services call ``rollup_mark_dirty()`` from ``transaction.on_commit`` after a
write that changes a dashboard figure.
"""

from __future__ import annotations


def rollup_mark_dirty() -> None:
    """Placeholder until the rollup jobs land: the refresh is scheduled here."""
