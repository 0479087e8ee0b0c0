"""Live dashboard updates: channel-layer groups and the push after a rollup lands.

Group names start with the schema (``public.rollups`` for the city, ``<schema>.rollups``
for a county). Messages carry no figures, only which county changed and when: an open
page then asks its own (scoped) data endpoint for the new figures, so what a user sees
always passes through the same access checks as the page itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

CITY_GROUP = "public.rollups"


def county_group(schema: str) -> str:
    return f"{schema}.rollups"


def push_landed(*, schema: str, tenant_name: str, finished_at: str) -> None:
    """Tell open dashboards (the city's and the county's) that new figures are stored."""
    push_landed_many([Landed(schema, tenant_name, finished_at)])


@dataclass(frozen=True)
class Landed:
    schema: str
    tenant_name: str
    finished_at: str


CITY_WIDE = "全市"


def push_landed_many(landed: list[Landed]) -> None:
    """One push per county group, and ONE to the city group for the lot (a full run of
    twelve counties makes an open city page re-read its figures once, not twelve times).
    All sends go through one event-loop entry: each ``async_to_sync`` costs ~5 ms."""
    layer = get_channel_layer()
    if layer is None or not landed:
        return
    last = landed[-1]
    city = {
        "type": "rollup.landed",
        "schema": last.schema if len(landed) == 1 else "",
        "county": last.tenant_name if len(landed) == 1 else CITY_WIDE,
        "at": last.finished_at,
    }

    async def send() -> None:
        await layer.group_send(CITY_GROUP, city)
        for item in landed:
            await layer.group_send(
                county_group(item.schema),
                {
                    "type": "rollup.landed",
                    "schema": item.schema,
                    "county": item.tenant_name,
                    "at": item.finished_at,
                },
            )

    try:
        async_to_sync(send)()
    except Exception:  # a lost push must not undo a stored rollup; the page polls too
        logger.exception("rollup push for %s failed", ", ".join(i.schema for i in landed))
