"""Member development standards (发展党员 25 步模板), domain-rules.md §1."""

from __future__ import annotations

__all__: list[str] = []
