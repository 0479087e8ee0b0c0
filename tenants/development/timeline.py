"""A record's 25 steps as a timeline: what is done, what is next, when it falls due.

Used by the pages, the PDF and the reminders. A step is *next* when its prerequisites
are done and it is not; its due date is the nearest limit of its ``within`` rules (or the
probation end), its earliest date the latest of its ``after`` rules.

A completed step is never overdue. A repeatable step (培养教育考察, 继续教育考察) stays
*next* after it was first recorded — its next recording falls due — only until a step
that requires it is done (确定发展对象, 提出转正申请): then it is complete and closed.
A step done after its limit is *late* (逾期完成), which is a fact about the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.standards.models import DevelopmentStep
from tenants.development.models import DevelopmentRecord, Status, StepEntry
from tenants.development.rules import deadlines, earliest
from tenants.development.selectors import done_dates, entries_of
from tenants.development.steps import steps


@dataclass
class StepView:
    step: DevelopmentStep
    entries: list[StepEntry] = field(default_factory=list)
    done: bool = False
    pending: StepEntry | None = None
    is_next: bool = False
    earliest: date | None = None
    due_on: date | None = None
    due_text: str = ""

    @property
    def late(self) -> bool:
        """Done after its limit (逾期完成)."""
        return any(e.late_days for e in self.entries if e.state == StepEntry.State.DONE)

    @property
    def complete(self) -> bool:
        """Done and closed: nothing more is due on it (a repeatable step still open is not)."""
        return self.done and not self.is_next

    @property
    def times(self) -> int:
        return sum(1 for e in self.entries if e.state == StepEntry.State.DONE)

    def overdue_on(self, today: date) -> bool:
        return self.is_next and self.due_on is not None and self.due_on < today


def timeline(
    record: DevelopmentRecord, *, entries: list[StepEntry] | None = None
) -> list[StepView]:
    template = steps()
    entries = list(entries_of(record)) if entries is None else entries
    dates = done_dates(record, entries)
    names = {n: s.name for n, s in template.items()}
    # The steps that require each step: doing one of them closes a repeatable step.
    required_by: dict[int, list[int]] = {}
    for number, step in template.items():
        for r in step.requires:
            required_by.setdefault(r, []).append(number)
    views = []
    for number, step in template.items():
        mine = [e for e in entries if e.step_number == number]
        view = StepView(step=step, entries=mine, done=number in dates)
        view.pending = next((e for e in mine if e.state == StepEntry.State.PENDING), None)
        ready = all(r in dates for r in step.requires)
        open_for = record.is_open or (number == 25 and record.status == Status.FULL)
        still_open = not view.done or (
            step.repeatable and not any(n in dates for n in required_by.get(number, ()))
        )
        view.is_next = open_for and ready and still_open and number > 1
        if view.is_next:
            view.earliest = earliest(step, dates)
            limits = [d for d in deadlines(step, dates, names) if not d.refuse]
            if limits:
                first = min(limits, key=lambda d: d.due_on)
                view.due_on, view.due_text = first.due_on, first.text
        views.append(view)
    return views


def next_steps(record: DevelopmentRecord) -> list[StepView]:
    return [v for v in timeline(record) if v.is_next]
