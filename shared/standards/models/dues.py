"""Party dues standards (党费收缴标准), domain-rules.md §2."""

from __future__ import annotations

__all__: list[str] = []
