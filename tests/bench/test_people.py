"""bench/city: the generator's fast draws give exactly what ``random.Random`` gives and its ID
numbers are ``make_id_number``'s, so a seed keeps making the same, valid city."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from bench.city.idnumbers import IdNumbers
from bench.city.pools import fast_draws
from zhdj.pii.idnumber import SEQUENCES_PER_SEX, make_id_number


def test_fast_draws_equal_randint_and_choice() -> None:
    sizes = random.Random(7)
    reference, ours = random.Random("seed"), random.Random("seed")
    randint, choice = fast_draws(ours)
    for _ in range(20_000):
        a = sizes.randint(-50, 50)
        b = a + sizes.choice((0, 1, 2, 3, 7, 8, 9, 100, 2**20, 99_999_999, 2**64))
        assert randint(a, b) == reference.randint(a, b)
        seq = range(sizes.randint(1, 40))
        assert choice(seq) == reference.choice(seq)
    # The two streams are still in step: the same number of bits was drawn.
    assert ours.random() == reference.random()


def test_fast_choice_refuses_an_empty_sequence() -> None:
    _randint, choice = fast_draws(random.Random(1))
    with pytest.raises(IndexError):
        choice([])


def test_id_numbers_equal_make_id_number() -> None:
    rng = random.Random(3)
    births = [
        date.fromordinal(rng.randint(date(1900, 1, 1).toordinal(), 740_000)) for _ in range(3_000)
    ]
    # The same dates in every region: new to the process in the first, known in the others
    # (the dates' digit sums are kept for the whole process, the region's per instance).
    for region in ("610802", "110101", "654321"):
        numbers = IdNumbers(region)
        for birth in births:
            sequence, sex = rng.randrange(SEQUENCES_PER_SEX), rng.choice(("male", "female"))
            for _again in range(2):
                assert numbers.make(birth, sequence, sex) == make_id_number(
                    region, birth, sequence, sex
                )


@pytest.mark.parametrize(
    ("birth", "sequence", "sex", "error"),
    [
        (date(1990, 1, 1), SEQUENCES_PER_SEX, "male", ValueError),
        (date(1990, 1, 1), -1, "female", ValueError),
        (date(1990, 1, 1), 3, "x", ValueError),
        (datetime(1990, 1, 1), 3, "male", TypeError),
    ],
)
def test_id_numbers_refuse_what_make_id_number_refuses(birth, sequence, sex, error) -> None:  # type: ignore[no-untyped-def]
    numbers = IdNumbers("610802")
    numbers.make(date(1990, 1, 1), 0, "male")  # the date known: the checks still apply
    with pytest.raises(error):
        numbers.make(birth, sequence, sex)
    with pytest.raises(ValueError):
        IdNumbers("61080")
