"""Bulk loading with the row triggers off, their work done once per batch.

The generator loads with ``session_replication_role = replica`` (what ``pg_restore
--disable-triggers`` does): no per-row trigger runs, so neither the pghistory insert trigger
nor the deferred foreign-key checks. These statements do both for a whole batch of rows of
``model`` (alias ``r``, chosen by a ``where`` condition): the audit rows the trigger would
have written (every tracked column, the given context and label, ``NOW()``), and one count
per foreign key of the rows whose target is missing (must be 0). Used by the member loader
(bench/generator.py) and the developments, dues and transfers (bench/city/extras).
"""

from __future__ import annotations

from typing import Any


def audit_insert_sql(model: Any, where: str) -> str:
    """Parameters: the pghistory context id, the label, then those of ``where``."""
    event = model.pgh_event_model
    columns = [f.column for f in event._meta.concrete_fields if not f.column.startswith("pgh_")]
    names = ", ".join(f'"{c}"' for c in columns)
    picked = ", ".join(f'r."{c}"' for c in columns)
    return (
        f"INSERT INTO {event._meta.db_table} ({names}, pgh_context_id, pgh_created_at, "
        f"pgh_label, pgh_obj_id) SELECT {picked}, %s, NOW(), %s, r.id "
        f"FROM {model._meta.db_table} r WHERE {where}"
    )


def dangling_sql(model: Any, where: str) -> list[tuple[str, str]]:
    """(statement counting the rows whose foreign key points nowhere, target table), one
    per enforced foreign key of ``model``; parameters: those of ``where``."""
    out = []
    for f in model._meta.concrete_fields:
        if not (f.is_relation and f.db_constraint):
            continue
        target = f.related_model._meta.db_table
        out.append((
            f'SELECT count(*) FROM {model._meta.db_table} r WHERE {where} AND r."{f.column}" '
            f"IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} t "
            f'WHERE t."{f.target_field.column}" = r."{f.column}")',
            target,
        ))  # fmt: skip
    return out
