"""The county API under schema-driven fuzzing: schemathesis reads /api/schema/
(drf-spectacular) and sends generated and boundary input to every operation, in-process
(the WSGI app, no server), logged in as every login of the test world in each county (the
administrator, a town and a branch secretary, a plain member, the security administrator
and the auditor). No answer is a 5xx, each
answers a documented status code with the documented content type (the error statuses are
documented by ``zhdj.api.document_error_responses``), and no answer carries the other
county's data (its name, which is in its organizations', members' and addresses' names).

Checks left out, and why:
- ``response_schema_conformance``: the serializers' declared shapes are not what this test
  is about, and several (``records``: a dict of sets; ``reveal``: ``{field, value}``) are
  documented as plain objects by drf-spectacular; a body mismatch there is no robustness bug.
- ``positive_data_acceptance``: schema-valid input is refused by the rules (a member id
  outside the scope, a transfer in the wrong state …) with a 400/404 by design.
- ``negative_data_rejection``: the query string's unknown parameters are ignored (DRF's
  convention; the schema cannot say "no other parameters"), and checking it needs the
  generated "negative" data to be truly invalid, which it is not for free-text fields.
- ``missing_required_header`` / ``ignored_auth`` / ``use_after_free`` /
  ``ensure_resource_availability``: authentication is a session cookie the test sets,
  and the stateful checks need links between operations that the schema does not declare.

Every request runs inside the test's transaction (the ``db`` fixture), so what the fuzzer
writes is rolled back; ``on_commit`` effects never run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.conftest import logged_in
from tests.support.world import ALPHA, BETA, County

CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # a 32-character secret: cookie and header agree
MAX_EXAMPLES = 5  # per operation and user
ROLES = ("admin", "townsec", "branchsec", "member", "anquan", "shenji")  # every login of the world
USERS = [(county, username) for county in (ALPHA, BETA) for username in ROLES]


@pytest.fixture
def in_process_app(session) -> Iterator[WSGIHandler]:  # type: ignore[no-untyped-def]
    """Django's WSGI app, called in the test's thread and transaction: the request signals
    must not close the connection. Django's test client reconnects them after each of its
    requests, so they are cut after the login (``session``), for this test only."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _tenant_api_schema() -> dict:
    """What /api/schema/ serves on a county host (the same generator, without a request),
    built at collection so that each operation is a test of its own."""
    generator = SchemaGenerator(urlconf="zhdj.urls_tenant")
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


@pytest.fixture(params=USERS, ids=[f"{c.schema}-{u}" for c, u in USERS])
def session(request, db) -> tuple[County, dict[str, str]]:  # type: ignore[no-untyped-def]
    county, username = request.param
    client = logged_in(county.host, username)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    cookies["csrftoken"] = CSRF
    return county, cookies


schema = schemathesis.openapi.from_dict(_tenant_api_schema())
schema.config.phases.coverage.enabled = False  # hundreds of boundary cases per operation


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_a_server_error(case, session, in_process_app) -> None:  # type: ignore[no-untyped-def]
    county, cookies = session
    response = case.call(
        base_url=f"http://{county.host}",
        app=in_process_app,
        cookies=cookies,
        headers={"X-CSRFToken": CSRF, "Accept-Language": "en"},
    )
    connection.set_schema_to_public()  # as a new request would find it
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance],
    )
    other = BETA if county is ALPHA else ALPHA
    assert other.name not in response.text, f"{other.name}'s data in {case.operation.label}"


def test_the_fuzzed_schema_is_the_one_a_county_serves(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    served = alpha_admin.get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert json.loads(served.content)["paths"].keys() == schema.raw_schema["paths"].keys()
