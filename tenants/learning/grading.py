"""Grading one answer (评分), as the standards say: 单选 and 判断 right or wrong; 多选 full
points when exactly right, the rule's share when fewer right options are chosen and no
wrong one (``learning.multi_partial_percent``), nothing with a wrong option; 填空 per blank,
each compared after normalisation (full-width to half-width, spaces, case, trailing
punctuation), with the blank's accepted alternatives."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from tenants.learning.models import QuestionKind

JUDGE_OPTIONS = ["正确", "错误"]  # a 判断题's answer is [0] (正确) or [1] (错误)
_SPACES = re.compile(r"\s+")
_TRAILING = "。．.，,；;！!？?、"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    text = _SPACES.sub("", text).casefold()
    return text.rstrip(_TRAILING)


def _exact(key: list, given: list, points: Decimal, _partial: int) -> Decimal:
    return points if list(given) == list(key) else Decimal(0)


def _multi(key: list, given: list, points: Decimal, partial: int) -> Decimal:
    chosen, right = set(given), set(key)
    if chosen == right:
        return points
    if chosen and chosen < right:  # fewer right options, none wrong
        return _round(points * partial / 100)
    return Decimal(0)


def _fill(key: list, given: list, points: Decimal, _partial: int) -> Decimal:
    if not key:
        return Decimal(0)
    hits = sum(
        1
        for accepted, text in zip(key, given, strict=False)
        if normalise(text) in {normalise(a) for a in accepted}
    )
    return _round(points * hits / len(key))


GRADERS = {
    QuestionKind.SINGLE: _exact,
    QuestionKind.JUDGE: _exact,
    QuestionKind.MULTI: _multi,
    QuestionKind.FILL: _fill,
}


def grade(
    kind: str, key: list, given: list | None, points: Decimal, partial_percent: int
) -> Decimal:
    """Points for ``given`` against the answer ``key`` (both in the options' original order)."""
    if given is None:
        return Decimal(0)
    return GRADERS[QuestionKind(kind)](key, given, points, partial_percent)


def _round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
