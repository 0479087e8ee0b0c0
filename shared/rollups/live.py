"""Live dashboard updates: channel-layer groups and the push after a rollup lands.

Group names start with the schema (``public.rollups`` for the city, ``<schema>.rollups``
for a county). Messages carry no figures, only which county changed and when: an open
page then asks its own (scoped) data endpoint for the new figures, so what a user sees
always passes through the same access checks as the page itself.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

CITY_GROUP = "public.rollups"


def county_group(schema: str) -> str:
    return f"{schema}.rollups"


def push_landed(*, schema: str, tenant_name: str, finished_at: str) -> None:
    """Tell open dashboards (the city's and the county's) that new figures are stored."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "rollup.landed",
        "schema": schema,
        "county": tenant_name,
        "at": finished_at,
    }
    try:
        async_to_sync(layer.group_send)(CITY_GROUP, message)
        async_to_sync(layer.group_send)(county_group(schema), message)
    except Exception:  # a lost push must not undo a stored rollup; the page polls too
        logger.exception("rollup push for %s failed", schema)
