"""Which paper a member going out leaves with (domain-rules §8), from the county's rules.

- abroad (出国（境）): the relationship stays with the home branch, contact every half year;
- settled for good where they go (fixed work or home there): transfer the relationship;
- back often enough to take part at home: not a flowing member;
- away for less than ``flowing.min_months``: a 党员证明信;
- otherwise: a flowing member with the 流动党员活动证.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from tenants.flowing.models import Paper
from tenants.rules.selectors import rule_value

# The papers registered here; the others are handled elsewhere (the proof letter and the
# transfer have their own pages) or not at all.
REGISTERED = (Paper.CARD, Paper.ABROAD)


@dataclass(frozen=True)
class Facts:
    starts_on: date
    ends_on: date
    abroad: bool
    settled: bool
    returns_often: bool


@dataclass(frozen=True)
class Decision:
    paper: str
    why: str

    @property
    def label(self) -> str:
        return Paper(self.paper).label


def months_away(starts_on: date, ends_on: date) -> int:
    """Whole months from leaving to the expected return (6 months = same day 6 months on)."""
    delta = relativedelta(ends_on, starts_on)
    return delta.years * 12 + delta.months


def decide(facts: Facts) -> Decision:
    minimum = rule_value("flowing.min_months")
    if facts.abroad:
        months = rule_value("flowing.abroad_report_months")
        return Decision(
            Paper.ABROAD, f"出国（境）的，原党组织保留组织关系，每 {months} 个月联系一次。"
        )
    if facts.settled:
        return Decision(Paper.TRANSFER, "已在外地有固定工作或长期居住的，应转接组织关系。")
    if facts.returns_often:
        return Decision(Paper.NONE, "经常返回、能参加原支部组织生活的，不作为流动党员。")
    if months_away(facts.starts_on, facts.ends_on) < minimum:
        return Decision(
            Paper.LETTER, f"外出不满 {minimum} 个月的，开具党员证明信，不发流动党员活动证。"
        )
    return Decision(
        Paper.CARD, f"连续外出 {minimum} 个月以上、不转移组织关系的，发放流动党员活动证。"
    )
