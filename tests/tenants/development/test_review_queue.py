"""The committee's review queue (上级党委审核) costs the same number of queries for one
pending submission as for several (step template and committees fetched once)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.development.models import StepEntry
from tenants.development.services import StepInput, record_create, step_record
from tenants.development.steps import add_months
from tests.conftest import logged_in
from tests.tenants.development.path import World, person, plan, step_input, uploads


def _pending_filing(w: World, seq: int) -> StepEntry:
    """A record whose step 4 (报上级党委备案) waits for the committee."""
    dates = plan(add_months(timezone.localdate(), -12))
    record = record_create(
        scope=w.branch_scope,
        person=person(w.village, birth=date(1997, 3, 1), seq=seq),
        step=StepInput(done_on=dates[1], uploads=uploads(1)),
        actor=w.branchsec,
    )
    for number in (2, 3):
        step_record(
            scope=w.branch_scope,
            record=record,
            number=number,
            data=step_input(w, number, dates[number], dates),
            actor=w.branchsec,
        )
    return step_record(
        scope=w.branch_scope,
        record=record,
        number=4,
        data=step_input(w, 4, dates[4], dates),
        actor=w.branchsec,
    )


def _queue_queries(client, schema: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/development/review/")
    assert response.status_code == 200
    # The connection's search_path is set again whenever the test switched schemas.
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    return len(sql), response.content.decode()


def test_review_queue_queries_do_not_grow_with_rows(w, alpha, settings):
    # The session's expiry is pushed forward at most once a minute: on a busy machine a
    # minute may pass between the two counts, and that one write is not the page's.
    settings.ZHDJ_SESSION_REFRESH_SECONDS = 24 * 3600
    _pending_filing(w, 41)
    connection.set_schema_to_public()
    client = logged_in(alpha.host, "townsec")
    _queue_queries(client, alpha.schema)  # warm: session and per-process caches
    one, page = _queue_queries(client, alpha.schema)
    assert page.count('class="review-row"') == 1

    with schema_context(alpha.schema):
        for seq in (43, 45, 47):
            _pending_filing(w, seq)
    connection.set_schema_to_public()
    four, page = _queue_queries(client, alpha.schema)

    assert page.count('class="review-row"') == 4
    assert page.count("第 4 步") == 4 and "通过" in page
    assert four == one, f"{one} queries for 1 row, {four} for 4 rows"
