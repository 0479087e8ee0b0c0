"""Citizen ID numbers (公民身份号码) as defined by GB 11643-1999.

Layout of the 18 characters::

    RRRRRR YYYYMMDD SSS C
    region birth    order check

- ``RRRRRR``: address code (GB/T 2260 administrative division) where the number was issued.
- ``YYYYMMDD``: date of birth.
- ``SSS``: order code; its last digit (the 17th character) is odd for men, even for women.
- ``C``: check character, ISO 7064 MOD 11-2: the sum of the first 17 digits weighted by
  ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2``, taken mod 11, indexes ``1 0 X 9 8 7 6 5 4 3 2``.

The record's birth date and sex must agree with the number (domain-rules §6); ``check_agrees``
reports disagreements. Error messages never repeat the number itself, so they are safe to log.

Region codes are not checked against GB/T 2260: codes are retired and renumbered over time and a
number stays valid for life, so a stale table would reject real people.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone

Sex = Literal["male", "female"]

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# sum(WEIGHTS) * ord("0"): the weighted sum of the digits' code points less this is the
# weighted sum of the digits (check_digit works on the ASCII bytes in one C-level pass).
_ASCII_ZERO_SUM = sum(WEIGHTS) * ord("0")
LENGTH = 18
# Anything earlier is a typo, not a person: the standard's own example is born in 1880.
EARLIEST_BIRTH_YEAR = 1850
# ``sequence`` in make_id_number: 500 order codes per (region, birth date, sex).
SEQUENCES_PER_SEX = 500

_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_REGION_RE = re.compile(r"[0-9]{6}")
_SEX_ALIASES: dict[str, Sex] = {"male": "male", "female": "female", "男": "male", "女": "female"}

MSG_LENGTH = "公民身份号码应为 18 位，当前为 {length} 位"
MSG_CHARACTERS = "公民身份号码应为 18 位：前 17 位为数字，最后一位为数字或 X"
MSG_CHECKSUM = "公民身份号码校验位不正确"
MSG_BIRTH_DATE = "公民身份号码中的出生日期无效"
MSG_FUTURE = "公民身份号码中的出生日期晚于今天"
MSG_BIRTH_DATE_DISAGREES = "出生日期与公民身份号码不一致"
MSG_SEX_DISAGREES = "性别与公民身份号码不一致"


@dataclass(frozen=True, slots=True, repr=False)
class IdNumberInfo:
    """What a valid citizen ID number (公民身份号码) says about its holder."""

    value: str
    """The normalized number: 18 characters, upper-case ``X``."""
    birth_date: date
    sex: Sex
    region_code: str

    def __repr__(self) -> str:
        # Reprs end up in tracebacks, Sentry frames and debug logs: never the full number.
        from zhdj.pii.masking import mask_id_number

        return f"IdNumberInfo(value={mask_id_number(self.value)!r})"


def normalize_id_number(value: str) -> str:
    """Canonical form used for storage, validation and the blind index.

    NFKC folds full-width digits and ``Ｘ`` typed with a Chinese input method; all whitespace
    is dropped; a lower-case ``x`` becomes ``X``. Nothing is validated here.
    """
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(map(operator.mul, first17.encode("ascii"), WEIGHTS)) - _ASCII_ZERO_SUM
    return CHECK_CHARS[total % 11]


def validate_id_number(value: str | None, *, today: date | None = None) -> IdNumberInfo:
    """Validate a citizen ID number (GB 11643-1999) and return what it encodes.

    ``today`` defaults to the local date (Asia/Shanghai); birth dates after it are refused.
    Raises ``ValidationError`` with a Chinese message naming the problem. The birth date is
    checked before the check character because a mistyped date also breaks the checksum and
    "出生日期无效" tells the user where to look.
    """
    number = normalize_id_number(value or "")
    if len(number) != LENGTH:
        raise ValidationError(
            MSG_LENGTH.format(length=len(number)), code="length", params={"length": len(number)}
        )
    if not _ID_RE.fullmatch(number):
        raise ValidationError(MSG_CHARACTERS, code="characters")
    birth_date = _birth_date(number)
    if birth_date is None:
        raise ValidationError(MSG_BIRTH_DATE, code="birth_date")
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(MSG_FUTURE, code="birth_date_future")
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(MSG_CHECKSUM, code="checksum")
    return IdNumberInfo(
        value=number,
        birth_date=birth_date,
        sex="male" if int(number[16]) % 2 else "female",
        region_code=number[:6],
    )


def _birth_date(number: str) -> date | None:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if year < EARLIEST_BIRTH_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def age_on(info_or_birth_date: IdNumberInfo | date, on: date) -> int:
    """Age in completed years (周岁) on the date ``on``.

    A person is N years old from their Nth birthday itself: born 2008-11-26, 17 on 2026-11-25
    and 18 on 2026-11-26. Someone born on 29 February turns a year older on 1 March in
    non-leap years (the day after 28 February, when the full year has elapsed), and on
    29 February in leap years.

    Note the deliberate choice: the Supreme People's Court counts criminal-responsibility ages
    from the day *after* the birthday (法释〔2006〕1号 第二条); that rule is not applied here.
    """
    if isinstance(info_or_birth_date, IdNumberInfo):
        birth = info_or_birth_date.birth_date
    else:
        birth = info_or_birth_date
    for name, day in (("birth date", birth), ("on", on)):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"age_on needs a date for {name}, not {type(day).__name__}")
    if on < birth:
        raise ValueError("age_on: the date is before the birth date")
    # Tuple comparison puts a 29 February birthday after 28 February, i.e. on 1 March.
    not_yet = (on.month, on.day) < (birth.month, birth.day)
    return on.year - birth.year - int(not_yet)


def _sex(value: str) -> Sex:
    try:
        return _SEX_ALIASES[value.strip().lower()]
    except (KeyError, AttributeError):
        raise ValueError("sex must be 'male', 'female', '男' or '女'") from None


def check_agrees(
    info: IdNumberInfo, *, birth_date: date | None = None, sex: str | None = None
) -> list[str]:
    """Chinese messages for each way the record disagrees with its ID number (empty if none).

    ``sex`` accepts ``male``/``female``/``男``/``女``; anything else is a programming error
    (``ValueError``). Messages name the field but not the values, so they can be logged.
    """
    errors: list[str] = []
    if birth_date is not None and birth_date != info.birth_date:
        errors.append(MSG_BIRTH_DATE_DISAGREES)
    if sex is not None and _sex(sex) != info.sex:
        errors.append(MSG_SEX_DISAGREES)
    return errors


def make_id_number(region_code: str, birth_date: date, sequence: int, sex: str) -> str:
    """A valid ID number for tests and the synthetic city (bench/), checksum computed.

    ``sequence`` (0-499) picks one of the 500 order codes of the given sex: the order code is
    ``sequence * 2 + 1`` for men (odd) and ``sequence * 2`` for women (even), so distinct
    (region, birth date, sex, sequence) give distinct numbers.
    """
    if not isinstance(region_code, str) or not _REGION_RE.fullmatch(region_code):
        raise ValueError("region_code must be 6 digits (GB/T 2260)")
    if isinstance(birth_date, datetime) or not isinstance(birth_date, date):
        raise TypeError("birth_date must be a date")
    if not 0 <= sequence < SEQUENCES_PER_SEX:
        raise ValueError(f"sequence must be in 0..{SEQUENCES_PER_SEX - 1}")
    order = sequence * 2 + (1 if _sex(sex) == "male" else 0)
    if birth_date.year < 1000:
        raise ValueError("birth_date year must have four digits")
    first17 = f"{region_code}{birth_date.isoformat().replace('-', '')}{order:03d}"
    return first17 + check_digit(first17)
