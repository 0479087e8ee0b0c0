"""The mask rule (issue 17): a masked ID number plus what the same page shows (the birth
date and the sex) must not rebuild the number. No database needed.

The count of candidates is exact: a dynamic programme over the hidden positions, each with
the digits it may hold, keeping the weighted sum mod 11 that the check character fixes."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from zhdj.pii.idnumber import make_id_number
from zhdj.pii.masking import MASK, mask_id_number, mask_phone

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
BIRTH = range(6, 14)  # positions of the birth date (0-based)
SEX = 16  # its parity is the sex


def candidates(masked: str, birth: date, sex: str) -> int:
    """How many valid 18-character numbers agree with ``masked``, ``birth`` and ``sex``."""
    assert len(masked) == 18
    known = dict(enumerate(masked))
    for i, ch in zip(BIRTH, birth.strftime("%Y%m%d"), strict=True):
        if known[i] == MASK:
            known[i] = ch
        assert known[i] == ch, "the mask shows a birth digit that differs"
    # residues of the weighted sum of the first 17 digits -> number of ways
    ways = {0: 1}
    for i in range(17):
        if known[i] != MASK:
            digits = [int(known[i])]
        elif i == SEX:
            digits = [d for d in range(10) if d % 2 == (1 if sex == "male" else 0)]
        else:
            digits = list(range(10))
        step: dict[int, int] = {}
        for residue, count in ways.items():
            for d in digits:
                r = (residue + d * WEIGHTS[i]) % 11
                step[r] = step.get(r, 0) + count
        ways = step
    if known[17] == MASK:
        return sum(ways.values())
    return sum(count for residue, count in ways.items() if CHECK[residue] == known[17])


numbers = st.builds(
    lambda region, birth, seq, sex: (make_id_number(region, birth, seq, sex), birth, sex),
    st.sampled_from(["610802", "610821", "110105", "440305", "650102", "540102"]),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31)),
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["male", "female"]),
)


@settings(max_examples=200, deadline=None)
@given(numbers)
def test_a_masked_id_number_with_birth_date_and_sex_leaves_six_unknown_digits(case):
    number, birth, sex = case
    masked = mask_id_number(number)
    assert len(masked) == 18 and masked[0] == number[0] and masked[-1] == number[-1]
    assert masked[1:-1] == MASK * 16
    n = candidates(masked, birth, sex)
    assert n >= 10**6, f"{masked}: only {n} candidates"
    assert math.log10(n) >= 6


@settings(max_examples=50, deadline=None)
@given(numbers)
def test_the_former_rule_gave_the_number_away(case):
    """The check has teeth: first 4 and last 4 kept left a handful of candidates."""
    number, birth, sex = case
    old = number[:4] + MASK * 10 + number[-4:]
    assert candidates(old, birth, sex) <= 10


def test_the_true_number_is_among_the_candidates():
    number = make_id_number("610802", date(1990, 3, 7), 12, "male")
    assert candidates(number, date(1990, 3, 7), "male") == 1
    assert candidates(mask_id_number(number), date(1990, 3, 7), "male") > 1


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_mobile_number_keeps_first_three_and_last_two(phone):
    masked = mask_phone(phone)
    assert masked == phone[:3] + MASK * 6 + phone[-2:]
