"""Reads of the code tables (代码表): the rows, a code's name, form choices, validation.

Per-process cache. ``code_name``, ``code_choices`` and ``is_valid_code`` keep one
snapshot per table in a module dict, filled on first use and never expired. That is
safe because:

- code tables change only by data migration (the admin is read-only), and a deploy
  that migrates restarts the processes;
- they live in the public schema only (``standards`` is not a tenant app), so every
  tenant connection reads the same rows through its search_path: the cache needs no
  schema in its key;
- a table that reads as empty is not cached, so a process that asks before the seed
  migration has run asks again later.

Tests that write ``Code`` rows call ``clear_cache()`` before and after. ``codes()``
returns a queryset and is never cached.

Call ``code_choices`` lazily (``choices=partial(code_choices, CodeTable.EDUCATION)``;
Django accepts a callable), never at import time: that would query on import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from shared.standards.models import Code, CodeTable


@dataclass(frozen=True)
class _Snapshot:
    names: dict[str, str]  # every code, withdrawn ones too: old records keep their label
    choices: tuple[tuple[str, str], ...]  # active codes in display order
    active: frozenset[str]


_snapshots: dict[str, _Snapshot] = {}


def _table(table: CodeTable | str) -> str:
    try:
        return CodeTable(table).value
    except ValueError:
        raise ValueError(f"没有名为 {table!r} 的代码表") from None


def codes(table: CodeTable | str, *, include_inactive: bool = False) -> QuerySet[Code]:
    """The entries of a table in display order (active ones unless asked otherwise)."""
    rows = Code.objects.filter(table=_table(table))
    if not include_inactive:
        rows = rows.filter(is_active=True)
    return rows.order_by("sort", "code")


def _snapshot(table: CodeTable | str) -> _Snapshot:
    key = _table(table)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        rows = list(
            Code.objects.filter(table=key)
            .order_by("sort", "code")
            .values_list("code", "name", "is_active")
        )
        snapshot = _Snapshot(
            names={code: name for code, name, _ in rows},
            choices=tuple((code, name) for code, name, active in rows if active),
            active=frozenset(code for code, _, active in rows if active),
        )
        if rows:
            _snapshots[key] = snapshot
    return snapshot


def code_name(table: CodeTable | str, code: str, default: str = "") -> str:
    """The name of ``code`` in ``table`` (withdrawn codes too), else ``default``."""
    return _snapshot(table).names.get(code, default)


def code_names(table: CodeTable | str) -> dict[str, str]:
    """Every code of ``table`` with its name (withdrawn codes too), from the snapshot."""
    return dict(_snapshot(table).names)


def code_choices(table: CodeTable | str) -> list[tuple[str, str]]:
    """``(code, name)`` pairs of the active entries, in display order, for form fields."""
    return list(_snapshot(table).choices)


def keep_current(
    choices: list[tuple[str, str]], table: CodeTable | str, current: str | None
) -> list[tuple[str, str]]:
    """``choices`` plus a record's ``current`` code when it is not among them (withdrawn):
    an edit form shows it instead of a blank, which would erase it when sent back."""
    if not current or any(str(code) == current for code, _ in choices):
        return choices
    name = _snapshot(table).names.get(current, current)
    return [*choices, (current, f"{name}（已停用）")]


def is_valid_code(table: CodeTable | str, code: str) -> bool:
    """Whether ``code`` is an active entry of ``table`` (what new input may use)."""
    return code in _snapshot(table).active


def clear_cache() -> None:
    """Forget the cached tables (tests that write ``Code`` rows)."""
    _snapshots.clear()


def codes_flagged(table: CodeTable | str, flag: str) -> frozenset[str]:
    """Active codes whose ``extra[flag]`` is true (e.g. party statuses still on the roll)."""
    return frozenset(
        code for code, extra in codes(table).values_list("code", "extra") if extra.get(flag)
    )
