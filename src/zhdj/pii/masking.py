"""Masked display of personal data (个人信息去标识化展示) for lists, exports and public pages.

Follows the common practice of GB/T 35273-2020 (personal information security specification,
"de-identified display"): ID numbers keep the first 4 and last 4 characters, mobile numbers
the first 3 and last 4, addresses a short administrative prefix, names the surname character.

Every function accepts ``None``, blank or odd input and returns a string without raising.
Input too short to keep anything safely is masked completely.
"""

from __future__ import annotations

from zhdj.pii.crypto import normalize_phone
from zhdj.pii.idnumber import normalize_id_number

MASK = "*"
ADDRESS_KEEP = 6
ADDRESS_SUFFIX = MASK * 4


def _keep_ends(value: str, head: int, tail: int) -> str:
    hidden = len(value) - head - tail
    if hidden < 1:
        return MASK * len(value)
    return value[:head] + MASK * hidden + value[len(value) - tail :]


def mask_id_number(value: str | None) -> str:
    """``610802199003071234`` -> ``6108**********1234`` (first 4 and last 4 kept)."""
    if not isinstance(value, str):
        return ""
    return _keep_ends(normalize_id_number(value), 4, 4)


def mask_phone(value: str | None) -> str:
    """``13912345678`` -> ``139****5678`` (first 3 and last 4 digits kept).

    The number is reduced to its digits first (``+86 139-1234-5678`` masks the same way).
    """
    if not isinstance(value, str):
        return ""
    return _keep_ends(normalize_phone(value), 3, 4)


def mask_address(value: str | None) -> str:
    """``陕西省榆林市榆阳区某某路 12 号`` -> ``陕西省榆林市****``.

    Keeps the first 6 characters (roughly province and city) and always ends in ``****``, so
    the length of the rest is hidden too. Shorter addresses keep at most half their characters,
    so the whole address is never shown.
    """
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    if not text:
        return ""
    keep = min(ADDRESS_KEEP, len(text) // 2)
    return text[:keep] + ADDRESS_SUFFIX


def mask_name(value: str | None) -> str:
    """``张三丰`` -> ``张**``, ``张三`` -> ``张*`` (first character kept; one-character names
    are masked completely)."""
    if not isinstance(value, str):
        return ""
    name = value.strip()
    if len(name) < 2:
        return MASK * len(name)
    return name[0] + MASK * (len(name) - 1)
