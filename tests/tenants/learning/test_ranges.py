"""Byte ranges of lesson media (RFC 9110 §14): one range, the three forms, 416 outside."""

from __future__ import annotations

import pytest

from tenants.learning.ranges import Unsatisfiable, byte_range


def test_no_or_unreadable_header_means_the_whole_file() -> None:
    assert byte_range(None, 100) is None
    assert byte_range("", 100) is None
    assert byte_range("bytes=-", 100) is None
    assert byte_range("items=0-5", 100) is None
    assert byte_range("bytes=0-5,10-20", 100) is None  # several ranges: the whole file
    assert byte_range("bytes=9-3", 100) is None


def test_first_and_last_byte() -> None:
    assert byte_range("bytes=0-99", 1000) == (0, 99)
    assert byte_range("bytes=500-2000", 1000) == (500, 999)  # clipped to the file


def test_from_a_byte_to_the_end() -> None:
    assert byte_range("bytes=0-", 1000) == (0, 999)
    assert byte_range("bytes=999-", 1000) == (999, 999)


def test_the_last_n_bytes() -> None:
    assert byte_range("bytes=-10", 1000) == (990, 999)
    assert byte_range("bytes=-5000", 1000) == (0, 999)


def test_outside_the_file_is_unsatisfiable() -> None:
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=1000-", 1000)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=-0", 1000)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=0-", 0)
