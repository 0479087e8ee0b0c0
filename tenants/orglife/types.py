"""Meeting types and what the rules require of them (domain-rules §4), read from the
standards: the code table ``meeting_type`` says each type's period, roster and what it may
hold; the rule parameters (``orglife.*``, city default or the county's override) say how
many per period. Nothing here repeats a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.standards.models import Code, CodeTable
from tenants.rules.selectors import rule_value, rule_values

PERIOD_NAMES = {"month": "月", "quarter": "季度", "year": "年"}

# The meeting types (codes of the ``meeting_type`` table) that the code treats apart.
ASSEMBLY = "assembly"  # 支部党员大会: the only meeting that votes on members and appraisals
COMMITTEE = "committee"  # 支委会: required only of a branch with a committee
GROUP = "group"  # 党小组会: held by a 党小组, required per 党小组 of the branch
LECTURE = "lecture"  # 党课: the secretary's own lecture is checked

# Who is expected at a meeting (``extra.roster`` of its type): members | committee | group.
ROSTER_COMMITTEE = "committee"


@dataclass(frozen=True)
class MeetingType:
    code: str
    name: str
    period: str  # month | quarter | year
    rule: str  # the rule parameter holding the required count per period
    roster: str  # members | committee | group
    votes: bool
    quorum: bool
    lecturer: bool

    @property
    def period_name(self) -> str:
        return PERIOD_NAMES[self.period]


def meeting_types() -> dict[str, MeetingType]:
    """The active meeting types in display order."""
    rows = Code.objects.filter(table=CodeTable.MEETING_TYPE, is_active=True).order_by("sort")
    return {
        c.code: MeetingType(
            code=c.code,
            name=c.name,
            period=c.extra.get("period", "year"),
            rule=c.extra.get("rule", ""),
            roster=c.extra.get("roster", "members"),
            votes=bool(c.extra.get("votes")),
            quorum=bool(c.extra.get("quorum")),
            lecturer=bool(c.extra.get("lecturer")),
        )
        for c in rows
    }


def type_names() -> dict[str, str]:
    """Every meeting type's name, withdrawn ones too (old meetings keep their label)."""
    return dict(Code.objects.filter(table=CodeTable.MEETING_TYPE).values_list("code", "name"))


def required_per_period() -> dict[str, int]:
    """Meetings each type needs per period, as in force in this county."""
    values = rule_values("orglife.required_")
    return {code: int(values.get(t.rule, 0)) for code, t in meeting_types().items()}


def period_of(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the month, quarter or year ``day`` falls in."""
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    first_month = day.month if period == "month" else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + (0 if period == "month" else 2)
    end = date(day.year + 1, 1, 1) if end_month == 12 else date(day.year, end_month + 1, 1)
    return start, end - timedelta(days=1)


def period_label(period: str, start: date) -> str:
    if period == "year":
        return f"{start.year}年"
    if period == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def thresholds() -> tuple[int, int]:
    """(quorum %, majority %): present and yes votes must each exceed that share of the
    expected voting members (domain-rules §1 steps 15 and 23, §4)."""
    return int(rule_value("orglife.quorum_percent")), int(rule_value("orglife.majority_percent"))
