"""Dues in exactly one place (domain-rules §2, §8): when the home branch decided a card
holder pays at the destination (在流入地交纳党费), the home county bills none of the
months away; the destination records what it took (``inflows.inflow_dues_record``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from tenants.flowing.models import DuesPlace, Outflow, OutflowState


@dataclass(frozen=True)
class DuesAway:
    """Months a member's dues are paid at the destination: from the month they left to
    the month they came back (``last`` None while away)."""

    member_id: int
    first: date
    last: date | None

    def covers(self, month: date) -> bool:
        return self.first <= month and (self.last is None or month <= self.last)


def dues_away(member_ids: set[int] | None = None) -> dict[int, list[DuesAway]]:
    """Per member, the spans whose dues the destination takes: a card issued and the
    home branch's decision that dues are paid there. The home county bills none of those
    months; from the month after the return it bills again."""
    rows = Outflow.objects.filter(
        dues_place=DuesPlace.DESTINATION,
        card_issued_on__isnull=False,
        state__in=[OutflowState.ACTIVE, OutflowState.RETURNED],
    )
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    out: dict[int, list[DuesAway]] = defaultdict(list)
    for member_id, starts_on, state, returned_on in rows.values_list(
        "member_id", "starts_on", "state", "returned_on"
    ):
        last = returned_on.replace(day=1) if state == OutflowState.RETURNED else None
        out[member_id].append(DuesAway(member_id, starts_on.replace(day=1), last))
    return dict(out)


def paid_away(spans: list[DuesAway], month: date) -> bool:
    return any(span.covers(month) for span in spans)
