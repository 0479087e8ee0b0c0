"""HTTP byte ranges (RFC 9110 §14) for lesson media: a phone seeks in a video by asking
for a part of the file. One range only (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``); a
header we do not understand is ignored (the whole file is sent), as the RFC allows."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The range lies wholly outside the file: 416."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) a ``Range`` header asks of a file of ``size``
    bytes, or None for the whole file."""
    match = _RANGE.match((header or "").strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable
        return max(size - n, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid syntax: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(int(last), size - 1) if last else size - 1
