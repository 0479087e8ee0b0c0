"""ID numbers of one county for the member generator: what
``zhdj.pii.idnumber.make_id_number`` gives, at a fraction of its cost.

``make_id_number`` checks its arguments, formats the birth date and sums the 17 weighted
digits for every number (~4 µs, a fifth of a member row's generation). ``IdNumbers(region)``
keeps the weighted digit sum of the region, and the process keeps each birth date's digits
and weighted sum once seen (at most ~37,000 dates in a century, shared by every county);
the order code's are precomputed for all 1,000. A number is then two lookups, a string join
and the check character (GB 11643, ISO 7064 MOD 11-2, with the application's ``WEIGHTS``
and ``CHECK_CHARS``). tests/bench/test_people.py compares it with ``make_id_number``;
``--check`` re-validates members' numbers with the application's ``validate_id_number``.
"""

from __future__ import annotations

from datetime import date, datetime

from zhdj.pii.idnumber import CHECK_CHARS, SEQUENCES_PER_SEX, WEIGHTS, make_id_number


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


# Order codes 000–999: their text and their weighted digit sum (positions 15–17).
_ORDERS = [(f"{o:03d}", _weighted(f"{o:03d}", WEIGHTS[14:])) for o in range(1000)]
# Birth dates seen in this process: their YYYYMMDD and its weighted digit sum (7–14).
_DATES: dict[date, tuple[str, int]] = {}


def _date_digits(birth_date: date) -> tuple[str, int]:
    ymd = f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
    return _DATES.setdefault(birth_date, (ymd, _weighted(ymd, WEIGHTS[6:14])))


class IdNumbers:
    def __init__(self, region_code: str) -> None:
        make_id_number(region_code, date(2000, 1, 1), 0, "male")  # the application's checks
        self._region = region_code
        self._region_sum = _weighted(region_code, WEIGHTS[:6])

    def make(self, birth_date: date, sequence: int, sex: str) -> str:
        """``make_id_number(region_code, birth_date, sequence, sex)`` for ``sex`` "male" or
        "female"."""
        male = sex == "male"
        if not (0 <= sequence < SEQUENCES_PER_SEX and (male or sex == "female")):
            return make_id_number(self._region, birth_date, sequence, sex)  # raises
        known = _DATES.get(birth_date)
        if known is None:
            if isinstance(birth_date, datetime) or birth_date.year < 1000:
                return make_id_number(self._region, birth_date, sequence, sex)  # raises
            known = _date_digits(birth_date)
        ymd, date_sum = known
        order, order_sum = _ORDERS[sequence * 2 + male]
        check = CHECK_CHARS[(self._region_sum + date_sum + order_sum) % 11]
        return f"{self._region}{ymd}{order}{check}"
