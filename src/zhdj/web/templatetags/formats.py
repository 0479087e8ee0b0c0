"""Template filters for figures and moments (``{% load formats %}``): thin wrappers of
``zhdj.formats`` so pages, exports and JSON payloads format them the same way."""

from __future__ import annotations

from datetime import datetime

from django import template

from zhdj import formats

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """841110 → "8,411.10"."""
    return formats.yuan(fen)


@register.filter
def beijing(moment: datetime | str | None) -> str:
    """A moment → "2026年12月6日 12:30" (Beijing time)."""
    return formats.beijing(moment)
