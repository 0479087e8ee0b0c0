"""The page sweep: every URL pattern, every role, both counties, real and foreign ids.

The patterns come from the URLconfs themselves, so a new page joins the sweep with
no list to update; a new *kind* of path parameter fails loudly until ``KINDS`` says
which objects fill it. Requests go through Django's ASGI handler (``AsyncClient``),
as under daphne: there Django renders error pages in another thread than the view.
"""

from __future__ import annotations

import logging
import pickle
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path

from asgiref.sync import async_to_sync
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern
from django_tenants.utils import schema_context
from rest_framework.views import APIView

from tests.support import otp
from tests.support.live import Process
from tests.support.world import ALPHA, BETA, CITY_HOST, PASSWORD

# Not pages: Django's admin (its own English UI, staff only) and static files.
# Websocket routes live in zhdj.routing, not in these URLconfs.
SKIPPED_PREFIXES = ("admin/", "static/")

# "anquan" and "shenji": the security administrator and the auditor (三员分立).
COUNTY_ROLES = ("anonymous", "member", "applicant", "branchsec", "admin", "anquan", "shenji")
CITY_ROLES = ("anonymous", "city", "ops", "anquan", "shenji")


@dataclass(frozen=True)
class Param:
    name: str
    converter: str  # int, uuid, slug, str, path, regex


@dataclass(frozen=True)
class Route:
    template: str  # "members/<member_id>/edit/"
    params: tuple[Param, ...]
    name: str  # namespaced URL name, e.g. "members:edit"
    machine: bool = False  # a REST framework view: it answers programs, in JSON

    @property
    def is_api(self) -> bool:
        return self.machine or self.template.endswith(".json")

    @property
    def format_suffix(self) -> bool:
        """REST framework's ``.json`` twin of another route (the same view)."""
        return any(p.name == "format" for p in self.params)


_CONVERTERS = {
    "IntConverter": "int",
    "UUIDConverter": "uuid",
    "SlugConverter": "slug",
    "StringConverter": "str",
    "PathConverter": "path",
}
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _part(pattern) -> tuple[str, list[Param]]:  # type: ignore[no-untyped-def]
    """One pattern's text as a template, and its parameters."""
    if isinstance(pattern, RoutePattern):
        route = pattern._route
        params = [
            Param(name, _CONVERTERS.get(type(conv).__name__, "str"))
            for name, conv in pattern.converters.items()
        ]
        return _ROUTE_PARAM.sub(r"<\1>", route), params
    # Regular expressions (DRF's router): named groups become parameters.
    regex = pattern._regex
    params = [Param(m.group(1), "regex") for m in _REGEX_GROUP.finditer(regex)]
    text = _REGEX_GROUP.sub(lambda m: f"<{m.group(1)}>", regex)
    text = text.removeprefix("^").removesuffix("$").replace("/?", "/").replace("\\.", ".")
    if re.search(r"[\\^$()\[\]*+?|{}]", text):
        raise AssertionError(f"the sweep cannot read the URL pattern {regex!r}")
    return text, params


def walk(urlconf: str) -> list[Route]:
    """Every URL pattern of ``urlconf``, depth first, minus the non-pages."""
    routes: list[Route] = []

    def visit(patterns, prefix: str, params: list[Param], namespace: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            text, own = _part(p.pattern)
            template = prefix + text
            if template.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                visit(p.url_patterns, template, params + own, ns)
            elif isinstance(p, URLPattern):
                view = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
                machine = isinstance(view, type) and issubclass(view, APIView)
                name = f"{namespace}{p.name or ''}"
                routes.append(Route(template, tuple(params + own), name, machine))

    visit(import_module(urlconf).urlpatterns, "", [], "")
    return routes


# --- What fills a parameter -------------------------------------------------------

# Parameter name → kind of object. ``pk`` of the API takes its kind from the router's
# basename; a record id under members/ is a row of a member's record set.
KINDS = {
    "member_id": "member",
    "org_id": "org",
    "record_id": "dev_record",
    "entry_id": "step_entry",
    "document_id": "document",
    "submission_id": "submission",
    "reduction_id": "reduction",
    "order_no": "order",
    "job_id": "import_job",
    "proposal_id": "proposal",
    "notification_id": "notification",
    "envelope_id": "envelope",
    "proof_id": "proof",
    "retention_id": "retention",
    "transfer_id": "transfer",
    "post_id": "post",
    "number": "step_number",
    "outcome": "outcome",
    "kind": "org_action",
    "action": "transfer_action",
    "slug": "record_set",
    "key": "rule",
    "format": "format",
    "tenant_id": "tenant",
    "token": "letter_token",
    "channel": "channel",
    "txn_id": "trade",
    "user_id": "user",  # a login of the site (动态口令 reset)
    "name": "archive",  # a county archive's file name (ops: 备份与移交)
    "meeting_id": "meeting",
    "attendance_id": "attendance",
    "ballot_id": "ballot",
    "file_id": "meeting_file",
    "appraisal_id": "appraisal",
    # learning
    "course_id": "course",
    "lesson_id": "lesson",
    "question_id": "question",
    "paper_id": "paper",
    "attempt_id": "attempt",
    "year": "year",
    # flowing
    "outflow_id": "outflow",
    # flowing (inflows)
    "inflow_id": "inflow",
}
API_KINDS = {
    "org": "org",
    "notification": "notification",
    "member": "member",
    "proposal": "proposal",
    "development-record": "dev_record",
    "dues-bill": "bill",
    "dues-payment": "payment",
    "transfer-envelope": "envelope",
    "transfer": "transfer",
    "orglife-meeting": "meeting",
    "orglife-mine": "meeting",
    "orglife-ballot": "ballot",
    "orglife-appraisal": "appraisal",
    # learning
    "learning-session": "study_session",
    "learning-paper": "paper",
    "learning-attempt": "attempt",
    "learning-manage-course": "course",
    "learning-manage-question": "question",
    "learning-manage-paper": "paper",
}
# Words a URL takes (the views' own vocabularies, not objects): all of them are tried.
WORDS = {
    "outcome": ["pass", "approve", "return"],
    "org_action": ["child", "rename", "move", "merge", "dissolve"],
    "transfer_action": ["approve", "return", "withdraw", "letter", "receipt", "resend"],
    "step_number": ["1", "2", "24"],
    "format": ["json"],
    "year": [str(date.today().year)],  # learning (manage): a certificate's year
}


def kind_of(route: Route, param: Param) -> str:
    if param.name == "pk":
        name = route.name.split(":")[-1]
        basenames = [b for b in API_KINDS if name.startswith(f"{b}-")]
        if not basenames:
            raise AssertionError(f"API_KINDS: which objects fill {route.template}?")
        return API_KINDS[max(basenames, key=len)]
    if param.name == "record_id" and route.template.startswith("members/"):
        return "member_record"
    if param.name == "job_id" and route.template.startswith("ops/"):
        return "onboarding_job"
    if param.name == "token" and route.template.startswith("orglife/"):
        return "checkin_token"
    if param.name not in KINDS:
        raise AssertionError(f"KINDS: which objects fill <{param.name}> of {route.template}?")
    return KINDS[param.name]


@dataclass
class Catalog:
    """Real values per kind in one county: the first few to request (the most telling
    first), and all of them (to pick another county's ids that this one lacks)."""

    first: dict[str, list[str]] = field(default_factory=dict)
    every: dict[str, set[str]] = field(default_factory=dict)

    def add(self, kind: str, queryset, limit: int = 3) -> None:  # type: ignore[no-untyped-def]
        values = [str(v) for v in queryset.values_list("pk", flat=True)]
        self.first[kind], self.every[kind] = values[:limit], set(values)

    def words(self, values: dict[str, list[str]]) -> None:
        self.first.update(values)


def county_catalog(schema: str, order_nos: list[str]) -> Catalog:
    from django.db.models import F

    from shared.accounts.models import User
    from shared.interchange.models import TransferEnvelope
    from shared.payments.models import DoubleTrade
    from shared.standards.models.rules import RuleParameter
    from tenants.access.models import Post
    from tenants.development.models import DevelopmentRecord, StepDocument, StepEntry, Submission
    from tenants.dues.models import ONLINE_CHANNELS, DuesBill, DuesPayment, DuesReduction
    from tenants.flowing.models import Inflow, Outflow
    from tenants.imports.models import ImportJob
    from tenants.learning.models import Attempt, Course, Lesson, Paper, Question, StudySession
    from tenants.members.models import EditProposal, Member
    from tenants.members.records import RECORD_SETS, FamilyRecord
    from tenants.notifications.models import Notification
    from tenants.orglife.models import Appraisal, Attendance, Ballot, Meeting, MeetingFile
    from tenants.orgs.models import Organization
    from tenants.transfers.models import ProofLetter, Retention, Transfer

    c = Catalog()
    c.add("envelope", TransferEnvelope.objects.filter(target_schema=schema).order_by("pk"))
    trades = DoubleTrade.objects.filter(order_no__in=order_nos).values_list("txn_id", flat=True)
    c.first["trade"] = [str(t) for t in trades]
    c.every["trade"] = set(c.first["trade"])
    rules = RuleParameter.objects.order_by("domain").values_list("key", flat=True)[:3]
    with schema_context(schema):
        # The member's own file first, then a colleague's (the secretary), then others.
        people = {"member": 0, "branchsec": 1}
        rows = Member.objects.order_by("pk").values_list("pk", "user__username")
        members = [str(pk) for pk, name in sorted(rows, key=lambda r: (people.get(r[1], 2), r[0]))]
        c.first["member"], c.every["member"] = members[:3], set(members)
        c.add("org", Organization.objects.order_by("-depth", "path"))
        c.add("dev_record", DevelopmentRecord.objects.order_by("user", "pk"))  # the applicant's
        c.add("step_entry", StepEntry.objects.order_by("state", "pk"))
        c.add("document", StepDocument.objects.order_by("pk"), 2)
        c.add("submission", Submission.objects.order_by("pk"))
        c.add("reduction", DuesReduction.objects.order_by("pk"))
        c.add("import_job", ImportJob.objects.order_by("pk"))
        c.add("proposal", EditProposal.objects.order_by("pk"))
        c.add("member_record", FamilyRecord.objects.order_by("pk"))
        c.add("notification", Notification.objects.order_by("pk"))
        c.add("proof", ProofLetter.objects.order_by("pk"))
        c.add("retention", Retention.objects.order_by("pk"))
        c.add("transfer", Transfer.objects.order_by("pk"), 4)
        c.add("bill", DuesBill.objects.order_by("pk"), 2)
        c.add("payment", DuesPayment.objects.order_by("pk"), 2)
        c.add("post", Post.objects.order_by("pk"))
        c.add("user", User.objects.filter(role__in=User.OTP_ROLES).order_by("pk"))
        # The meeting under way first (its ballot open), then the coming one.
        c.add("meeting", Meeting.objects.order_by("status", "-starts_at", "pk"))
        c.add("attendance", Attendance.objects.exclude(leave="").order_by("pk"))
        c.add("ballot", Ballot.objects.order_by("status", "pk"))
        c.add("meeting_file", MeetingFile.objects.order_by("pk"))
        c.add("appraisal", Appraisal.objects.order_by("pk"))
        # learning: the member's open attempt first (the answer sheet), then the passed one
        # (its certificate), then the failed one.
        c.add("course", Course.objects.order_by("created_at"))
        c.add("lesson", Lesson.objects.order_by("sort", "created_at"))
        c.add("question", Question.objects.order_by("pk"))
        c.add("paper", Paper.objects.order_by("pk"))
        c.add(
            "attempt",
            Attempt.objects.order_by(F("submitted_at").asc(nulls_first=True), "-passed", "pk"),
        )
        c.add("study_session", StudySession.objects.order_by("started_at"))
        # flowing: the member's outflow with its card first
        c.add("outflow", Outflow.objects.order_by("-card_serial", "pk"))
        c.add("inflow", Inflow.objects.order_by("pk"))  # flowing (inflows)
        tokens = Meeting.objects.order_by("status", "-starts_at", "pk").values_list(
            "checkin_token", flat=True
        )
        c.first["checkin_token"] = list(tokens[:1])
        c.every["checkin_token"] = set(tokens)
        c.first["order"], c.every["order"] = list(order_nos), set(order_nos)
    c.words(
        {
            "record_set": ["family", *[s for s in RECORD_SETS if s != "family"]],
            "rule": [str(k) for k in rules],
            "channel": sorted(ONLINE_CHANNELS),
            **WORDS,
        }
    )
    return c


def city_catalog() -> Catalog:
    from shared.accounts.models import User
    from shared.customers.models import OnboardingJob, Tenant
    from shared.interchange.models import LetterRecord
    from shared.learning.models import CityCourse, CityLesson
    from shared.payments.models import DoubleTrade
    from tenants.dues.models import ONLINE_CHANNELS

    connection.set_schema_to_public()
    c = Catalog()
    c.add("tenant", Tenant.objects.exclude(schema_name="public").order_by("pk"))
    c.add("onboarding_job", OnboardingJob.objects.all())
    c.add("user", User.objects.order_by("pk"))
    c.add("course", CityCourse.objects.order_by("created_at"))  # learning (manage)
    c.add("lesson", CityLesson.objects.order_by("created_at"))
    # A letter's and a flowing member's card (活动证) each: the page words them apart.
    tokens = [
        t
        for kind in LetterRecord.Kind.values
        for t in LetterRecord.objects.filter(kind=kind).values_list("token", flat=True)[:1]
    ]
    trades = DoubleTrade.objects.values_list("txn_id", flat=True)
    c.words(
        {
            "letter_token": [str(t) for t in tokens[:2]],
            "trade": [str(t) for t in trades[:1]],
            "channel": sorted(ONLINE_CHANNELS),
            "archive": ["alpha-20260101T000000000000Z.zhdj.age"],  # none exists: 404
            **WORDS,
        }
    )
    return c


UNKNOWN = {
    "int": "987654",
    "uuid": str(uuid.UUID(int=0x5EE9)),
    "slug": "nonexistent",
    "str": "nonexistent",
    "path": "nonexistent",
    "regex": "987654",
}


@dataclass(frozen=True)
class Target:
    url: str
    route: Route
    variant: str  # own, other, unknown, junk


def targets(route: Route, catalog: Catalog, other: Catalog | None) -> Iterator[Target]:
    """The URLs to request for a route: every real value of each parameter with the
    others at their first real value; another county's value; an unknown one; junk."""
    if not route.params:
        yield Target("/" + route.template, route, "own")
        return
    own = catalog.first
    kinds = [kind_of(route, p) for p in route.params]
    for kind in kinds:
        if kind not in own:
            raise AssertionError(f"no catalog entry {kind!r} for {route.template}")
        if not own[kind]:
            raise AssertionError(f"the sweep world has no {kind!r} for {route.template}")
    base = {p.name: own[k][0] for p, k in zip(route.params, kinds, strict=True)}

    def url(**change: str) -> str:
        text = route.template
        for name, value in {**base, **change}.items():
            text = text.replace(f"<{name}>", value)
        return "/" + text

    yield Target(url(), route, "own")
    if route.format_suffix:
        return  # the same view as the route without the suffix, swept in full there
    for n, (p, kind) in enumerate(zip(route.params, kinds, strict=True)):
        # Every word a URL takes; a second object of a kind for pages (another member's
        # file, another branch); the API's objects are all alike.
        more = own[kind][1:] if kind in WORDS else own[kind][1:2] if not route.is_api else []
        for value in more:
            yield Target(url(**{p.name: value}), route, "own")
        if other is not None and kind in catalog.every:
            foreign = sorted(other.every.get(kind, set()) - catalog.every[kind])
            if foreign:
                yield Target(url(**{p.name: foreign[-1]}), route, "other")
        yield Target(url(**{p.name: UNKNOWN[p.converter]}), route, "unknown")
        if n == 0 and p.converter in ("int", "uuid") and not route.is_api:
            yield Target(url(**{p.name: "abc"}), route, "junk")


# --- Requests --------------------------------------------------------------------


@dataclass
class Result:
    host: str
    role: str
    target: Target
    status: int
    content_type: str
    location: str
    body: str
    seconds: float
    queries: int = (
        0  # SQL statements the request ran: its cost, unlike time not slowed by neighbours
    )
    headers: dict[str, str] = field(default_factory=dict)  # the security headers (csp.py)

    def where(self) -> str:
        return f"{self.role}@{self.host} GET {self.target.url} ({self.target.variant})"


class HostClient(AsyncClient):
    """An AsyncClient for one host (its requests otherwise always say ``testserver``,
    and a Host given per request is joined to that one)."""

    def __init__(self, host: str) -> None:
        super().__init__(raise_request_exception=False)  # a 500 is a finding, not a crash
        self.host = host

    def _base_scope(self, **request):  # type: ignore[no-untyped-def]
        scope = super()._base_scope(**request)
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        scope["headers"] = [*headers, (b"host", self.host.encode("ascii"))]
        return scope


def client_for(host: str, role: str) -> AsyncClient:
    client = HostClient(host)
    if role != "anonymous":
        response = async_to_sync(client.post)(
            "/accounts/login/", {"username": role, "password": PASSWORD}
        )
        assert response.status_code == 302, f"login of {role} on {host} failed"
        otp.complete(async_to_sync(client.post), async_to_sync(client.get), response, host, role)
    return client


def request(client: AsyncClient, host: str, role: str, target: Target) -> Result:
    started = time.perf_counter()
    # Sync views run in this thread (thread-sensitive), on this connection.
    with CaptureQueriesContext(connection) as queries:
        response = async_to_sync(client.get)(target.url)
    seconds = time.perf_counter() - started
    content_type = response.get("Content-Type", "")
    streaming = getattr(response, "streaming", False)
    body = ""
    if not streaming and content_type.startswith(("text/html", "application/json", "text/plain")):
        body = response.content.decode("utf-8", "replace")
    # A file response holds its file open until closed. Closing fires request_finished,
    # whose close_old_connections would close this thread's database connection (the test
    # settings' CONN_MAX_AGE = 0; production keeps it 60 s) and the next request would
    # open a new one: one connection per request, about 40% of the sweep's wall time. The
    # test client keeps the connection the same way around its own close of the response.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return Result(
        host,
        role,
        target,
        response.status_code,
        content_type,
        response.get("Location", ""),
        body,
        seconds,
        len(queries),
        {h: response.get(h, "") for h in SECURITY_HEADERS},
    )


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
)


@dataclass
class Sweep:
    routes: dict[str, list[Route]] = field(default_factory=dict)  # by urlconf
    results: list[Result] = field(default_factory=list)
    data_words: frozenset[str] = frozenset()  # logins, county identifiers: data, not words
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only: unlike wall time, not slowed by neighbours


def _is_file(result: Result) -> bool:
    return result.status == 200 and not result.content_type.startswith(
        ("text/html", "application/json", "text/plain")
    )


def run(order_nos: dict[str, list[str]]) -> Sweep:
    """Every plan's requests: the first county's in a second process (tests.support.
    sweep_child), the others in this one at the same time — two cores, each request the
    same as when one process made them all, on the same committed world."""
    started, cpu = time.perf_counter(), time.process_time()
    sweep = Sweep()
    county_routes = walk("zhdj.urls_tenant")
    city_routes = walk("zhdj.urls_public")
    sweep.routes = {"zhdj.urls_tenant": county_routes, "zhdj.urls_public": city_routes}
    sweep.data_words = _data_words()
    catalogs = {c.schema: county_catalog(c.schema, order_nos[c.schema]) for c in (ALPHA, BETA)}
    plans: list[tuple[str, tuple[str, ...], list[Target]]] = []
    for county, other in ((ALPHA, BETA), (BETA, ALPHA)):
        mine, theirs = catalogs[county.schema], catalogs[other.schema]
        plan = [t for r in county_routes for t in targets(r, mine, theirs)]
        plans.append((county.host, COUNTY_ROLES, plan))
    city = city_catalog()
    plans.append((CITY_HOST, CITY_ROLES, [t for r in city_routes for t in targets(r, city, None)]))
    with tempfile.TemporaryDirectory() as folder:
        child = _start_child(plans[0], Path(folder))
        try:
            with quiet_request_log():
                for host, roles, plan in plans[1:]:
                    sweep_host(sweep, host, roles, plan)
        except BaseException:
            child.stop()
            raise
        results, child_cpu = _child_results(child, Path(folder))
    sweep.results[:0] = results  # in the order of the plans
    sweep.seconds = time.perf_counter() - started
    sweep.cpu_seconds = time.process_time() - cpu + child_cpu
    return sweep


@contextmanager
def quiet_request_log() -> Iterator[None]:
    """403s and 404s are expected by the thousand: their log lines only cost time."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # setLevel: the logger caches what it emits
    try:
        yield
    finally:
        request_log.setLevel(level)


def _start_child(job: tuple[str, tuple[str, ...], list[Target]], folder: Path) -> Process:
    (folder / "job").write_bytes(pickle.dumps((*job, dict(otp._last))))
    args = [sys.executable, "-m", "tests.support.sweep_child"]
    return Process([*args, str(folder / "job"), str(folder / "out")], folder / "log")


def _child_results(child: Process, folder: Path) -> tuple[list[Result], float]:
    code = child.proc.wait(timeout=900)
    child.handle.close()
    out = folder / "out"
    assert code == 0 and out.exists(), f"the sweep's second process failed:\n{child.output()}"
    results, cpu, used_codes = pickle.loads(out.read_bytes())
    otp._last.update(used_codes)  # the codes it used are spent for this process too
    return results, cpu


def sweep_host(sweep: Sweep, host: str, roles: tuple[str, ...], plan: list[Target]) -> None:
    for role in roles:
        client = client_for(host, role)
        files: set[str] = set()  # routes that gave this role a file (PDF, Excel) once
        refused: set[str] = set()  # routes that refused GET (POST-only): for any object
        for target in plan:
            template = target.route.template
            if template in refused or (target.variant == "own" and template in files):
                continue  # the same answer again, or the same costly file for another object
            result = request(client, host, role, target)
            sweep.results.append(result)
            if _is_file(result):
                files.add(template)
            if result.status == 405:
                refused.add(template)
        connection.set_schema_to_public()


def _data_words() -> frozenset[str]:
    """Login names and county identifiers (schema, host): ASCII by design, shown as data
    (a recipient list names logins, the ops pages name schemas and hosts)."""
    from shared.accounts.models import User
    from shared.accounts.sessions import BROWSERS, SYSTEMS
    from shared.customers.models import Domain, LifecycleEvent, OnboardingJob, Tenant
    from zhdj.demo import DISTRICTS

    words = {d.schema for d in DISTRICTS}  # the onboarding form's example identifier
    connection.set_schema_to_public()
    words |= set(Tenant.objects.values_list("schema_name", flat=True))
    for host in Domain.objects.values_list("domain", flat=True):
        words |= set(host.split("."))
    words |= set(OnboardingJob.objects.values_list("schema_name", flat=True))
    # The lifecycle trail (append-only) names counties that other tests made and removed,
    # their hosts and their archives' file names.
    for schema, detail in LifecycleEvent.objects.values_list("schema_name", "detail"):
        words.add(schema)
        words |= set(re.findall(r"[\w.-]+\.(?:localhost|zhdj\.age)", detail))
    # Browsers and systems are named by their own names on 登录设备 ("Chrome · Linux").
    words |= {name for _pattern, name in (*BROWSERS, *SYSTEMS)}
    for schema in (ALPHA.schema, BETA.schema, "public"):
        with schema_context(schema):
            words |= set(User.objects.values_list("username", flat=True))
            if schema != "public":
                words |= _person_names()
    return frozenset(w for name in words for w in re.findall("[A-Za-z]+", name))


def _person_names() -> set[str]:
    """Names of people, present and in the audit log: a foreign-born member's name is
    written in Latin letters (zhdj.validation.names), data, not an English word."""
    from django.apps import apps

    names: set[str] = set()
    for label in ("members.Member", "members.MemberEvent", "transfers.Letter"):
        model = apps.get_model(label)
        names |= set(model.objects.filter(name__regex="[A-Za-z]").values_list("name", flat=True))
    return names


# --- What a page shows ---------------------------------------------------------------


class _Text(HTMLParser):
    """The text a user reads: no tags, scripts or styles, and of the attribute values
    only those shown as text (button captions, placeholders)."""

    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "input":
            # The attribute values a user does read: a button's caption, a placeholder.
            a = dict(attrs)
            if a.get("type") in ("submit", "button", "reset") and a.get("value"):
                self.parts.append(a["value"])
            if a.get("placeholder"):
                self.parts.append(a["placeholder"])
        elif tag == "textarea" and dict(attrs).get("placeholder"):
            self.parts.append(dict(attrs)["placeholder"])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def code_words() -> dict[str, str]:
    """Code → where it comes from, for every code that a user could mistake for text:
    the values of the project's TextChoices and of the standards' code tables that
    contain letters (numeric codes such as 民族 01 cannot be told from numbers)."""
    from django.db import models

    from shared.standards.models import Code, OrganizationType

    found: dict[str, str] = {}

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for choices in subclasses(models.TextChoices):
        if choices.__module__.startswith(("shared.", "tenants.", "zhdj.")):
            for value in choices.values:
                found.setdefault(value, f"{choices.__module__}.{choices.__qualname__}")
    connection.set_schema_to_public()
    for table, code in Code.objects.values_list("table", "code"):
        found.setdefault(code, f"代码表 {table}")
    for code in OrganizationType.objects.values_list("code", flat=True):
        found.setdefault(code, "党组织类型")
    return {c: src for c, src in found.items() if re.search("[A-Za-z]", c) and len(c) > 1}


# ASCII words a page may show: the file formats users know by these names, a size unit,
# and the prefix of national standards. Anything else in English is an untranslated label.
ALLOWED_WORDS = frozenset(
    {
        "PDF",  # 导出 PDF
        "Excel",  # 导入/导出 Excel
        "JPEG",  # accepted image formats of uploads
        "PNG",
        "MB",  # file size unit
        "xlsx",  # the extension of the Excel files to upload
        "GB",  # GB/T: how Chinese national standards are cited (GB/T 2260)
        "IP",  # IP 地址: the client address in the audit and security event logs
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.@-]*")


def english_words(text: str, data: frozenset[str] = frozenset()) -> list[str]:
    """Runs of letters that read as words. Identifiers with digits (order, letter and
    receipt numbers), single letters and ``data`` (logins, county identifiers) are not
    words."""
    words = []
    for m in _WORD.finditer(text):
        token = m.group(0).rstrip(".-")
        if any(ch.isdigit() for ch in token) or "@" in token:
            continue
        for word in re.findall("[A-Za-z]+", token):
            if len(word) > 1 and word not in ALLOWED_WORDS and word not in data:
                words.append(word)
    return words


def raw_codes(text: str, codes: dict[str, str], data: frozenset[str] = frozenset()) -> list[str]:
    hits = []
    for m in re.finditer(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*(?![A-Za-z0-9_])", text):
        if m.group(0) in codes and m.group(0) not in data:
            hits.append(f"{m.group(0)} ({codes[m.group(0)]})")
    return hits


Check = Callable[[Result], str | None]
