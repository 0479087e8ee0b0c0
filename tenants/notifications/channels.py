"""Channel-layer group names: always prefixed by the schema (CONVENTIONS §1)."""

from __future__ import annotations


def user_group(schema_name: str, user_id: int) -> str:
    return f"{schema_name}.notifications.user.{user_id}"
