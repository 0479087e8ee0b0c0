"""Masked display of personal data (个人信息去标识化展示) for lists, exports and public pages.

One rule per kind of value, used by every page, API field and export that shows a masked
value (``tests/zhdj/pii/test_mask_rule.py`` checks the rule, the page sweep checks that no
full ID number of its members appears on any page).

**ID numbers keep the first and the last character only** (``6****************X``).
A masked value plus what the same page shows must not rebuild the number. The pages that
show a masked ID number (the member list and detail, the member API, the masked export) also
show the birth date and the sex. An 18-character number (GB 11643) is

    region (6 digits) · birth date (8) · sequence (3, the last odd for men) · check (1)

With the birth date (positions 7–14) and the sex (the parity of position 17) known and the
first and last characters shown, the unknowns are positions 2–6 (5 digits) and 15–16
(2 digits), all ten values each, and position 17 (5 values of the right parity): 10^7 × 5 =
5 × 10^7 candidates. The shown check character is one equation mod 11 over them, which
leaves about 5 × 10^7 / 11 ≈ 4.5 × 10^6 candidates: more than 10^6, i.e. at least 6
unknown decimal digits, whatever else those pages show (they show no other part of the
number). The former rule (first 4, last 4) left positions 15–16 and the parity-bound 17:
50 candidates, 5 after the check character, one guess from the number.

Mobile numbers keep the first 3 and the last 2 digits (``138******78``), addresses a short
administrative prefix, names the surname character.

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


ID_KEEP = (1, 1)  # first, last characters kept (the reasoning: the module docstring)
PHONE_KEEP = (3, 2)


def mask_id_number(value: str | None) -> str:
    """``610802199003071234`` -> ``6****************4`` (first and last character kept)."""
    if not isinstance(value, str):
        return ""
    return _keep_ends(normalize_id_number(value), *ID_KEEP)


def mask_phone(value: str | None) -> str:
    """``13912345678`` -> ``139******78`` (first 3 and last 2 digits kept).

    The number is reduced to its digits first (``+86 139-1234-5678`` masks the same way).
    """
    if not isinstance(value, str):
        return ""
    return _keep_ends(normalize_phone(value), *PHONE_KEEP)


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
