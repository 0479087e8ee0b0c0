"""Load the standards from ``data/*.json`` (idempotent: upsert by code).

Used by data migrations; the JSON files transcribe ../shared/reference/domain-rules.md
and GB/T 2260.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def upsert(model: Any, rows: list[dict[str, Any]], key: str = "code") -> None:
    for row in rows:
        values = dict(row)
        model.objects.update_or_create(**{key: values.pop(key)}, defaults=values)
