"""The result of ``party_statistics`` (党内统计结果): headline figures and tables, shaped
for the page, the Excel export and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


def share(count: int, base: int) -> float | None:
    """``count`` as a percentage of ``base``, one decimal; None when the base is 0."""
    return round(count * 100 / base, 1) if base else None


@dataclass(frozen=True)
class Row:
    """One line of a statistics table: a code, its name, a count and its share (%)."""

    code: str
    name: str
    count: int
    share: float | None  # percent of the members counted, one decimal; None: not a share


@dataclass(frozen=True)
class Table:
    """A statistics table (统计表) with the chart that shows it ("pie", "bar" or "")."""

    key: str
    title: str
    rows: tuple[Row, ...]
    chart: str = ""
    unit: str = "人"

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    def chart_data(self) -> list[dict[str, Any]]:
        return [{"name": r.name, "value": r.count} for r in self.rows]


@dataclass(frozen=True)
class Figure:
    """A headline figure (汇总指标) with its share of all members counted, if any."""

    key: str
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class Statistics:
    """The party statistics (党内统计) of an organization subtree on a date."""

    org_id: int | None  # None: the whole reach of the user's scope
    org_name: str
    on: date
    total: int
    women: int
    minorities: int
    college: int
    full: int
    probationary: int
    suspended: int
    developed: int  # joined in the year of ``on``, up to ``on``
    leaving: int  # left, died or transferred out in the year of ``on``, up to ``on``
    tables: tuple[Table, ...]

    def share(self, count: int) -> float | None:
        return share(count, self.total)

    @property
    def women_share(self) -> float | None:
        return self.share(self.women)

    def figures(self) -> list[Figure]:
        year = f"{self.on.year}年"
        return [
            Figure("total", "党员总数", self.total, None),
            Figure("women", "女党员", self.women, self.share(self.women)),
            Figure("minorities", "少数民族党员", self.minorities, self.share(self.minorities)),
            Figure("college", "大专及以上学历", self.college, self.share(self.college)),
            Figure("full", "正式党员", self.full, self.share(self.full)),
            Figure("probationary", "预备党员", self.probationary, self.share(self.probationary)),
            Figure("suspended", "其中停止党籍", self.suspended, self.share(self.suspended)),
            Figure("developed", f"{year}发展党员", self.developed, None),
            Figure("leaving", f"{year}减少党员", self.leaving, None),
        ]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": {"id": self.org_id, "name": self.org_name},
            "on": self.on.isoformat(),
            "figures": [vars(f) for f in self.figures()],
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "unit": t.unit,
                    "total": t.total,
                    "rows": [vars(r) for r in t.rows],
                }
                for t in self.tables
            ],
        }
