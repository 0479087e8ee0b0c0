"""Walk a development record through the 25 steps with valid dates, through the real
services (test support: the dates each step may take, the documents each needs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.development.calendar import add_working_days
from tenants.development.models import DevelopmentRecord, StepEntry
from tenants.development.services import (
    PersonData,
    StepInput,
    Upload,
    record_create,
    step_record,
    step_review,
)
from tenants.development.steps import add_months, step
from tenants.members.models import Member
from tenants.orglife.history import development_vote_on_record
from tenants.orgs.models import Organization
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def pdf(name: str = "材料.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def uploads(number: int) -> list[Upload]:
    return [Upload(kind, pdf(f"{kind}.pdf")) for kind in step(number).documents]


def person(org: Organization, *, birth: date = date(1998, 4, 2), seq: int = 31) -> PersonData:
    return PersonData(
        org=org,
        name="陈发展",
        id_number=make_id_number("610802", birth, seq, "male"),
        ethnicity_code="01",
        education_code="21",
        job_title="某村村委会文书",
        phone="13700001111",
        address="榆林市榆阳区某村 3 组",
    )


@dataclass
class World:
    village: Organization
    town: Organization
    admin: User
    townsec: User
    branchsec: User
    contacts: list[int] = field(default_factory=list)

    @property
    def branch_scope(self) -> Scope:
        return scope_for(self.branchsec)

    @property
    def town_scope(self) -> Scope:
        return scope_for(self.townsec)


def world() -> World:
    town = Organization.objects.get(name__endswith="某镇党委")
    Organization.objects.filter(pk=town.pk).update(has_approval_authority=True)
    town.refresh_from_db()
    village = Organization.objects.get(name__endswith="某村党支部")
    full = list(
        Member.objects.filter(name__in=["王书记", "李支书"])
        .order_by("name")
        .values_list("pk", flat=True)
    )
    return World(
        village=village,
        town=town,
        admin=User.objects.get(username="admin"),
        townsec=User.objects.get(username="townsec"),
        branchsec=User.objects.get(username="branchsec"),
        contacts=full,
    )


def applied(w: World, on: date, **person_kw: object) -> DevelopmentRecord:
    return record_create(
        scope=w.branch_scope,
        person=person(w.village, **person_kw),  # type: ignore[arg-type]
        step=StepInput(done_on=on, uploads=uploads(1)),
        actor=w.branchsec,
    )


def plan(start: date) -> dict[int, date]:
    """Valid dates for every step, starting with the application on ``start``."""
    d = {1: start, 2: start + timedelta(days=10)}
    d[3] = add_months(start, 3) + timedelta(days=1)
    d[4] = d[5] = d[3] + timedelta(days=5)
    d[6] = d[5] + timedelta(days=4)
    d[7] = add_months(d[3], 12) + timedelta(days=1)
    d[8] = d[9] = d[10] = d[11] = d[7] + timedelta(days=3)
    d[12] = d[11] + timedelta(days=7)
    publicity_from = d[12] + timedelta(days=1)
    d["publicity_from"] = publicity_from
    # Only count working days where the plan reaches (later years may not be in the calendar).
    reached = publicity_from <= timezone.localdate()
    d["publicity_to"] = add_working_days(publicity_from, 5) if reached else publicity_from
    d[13] = d["publicity_to"] + timedelta(days=1)
    d[14] = d[13] + timedelta(days=1)
    d[15] = d[14] + timedelta(days=2)
    d[16] = d[15] + timedelta(days=5)
    d[17] = d[15] + timedelta(days=20)
    d[18] = d[19] = d[20] = d[17] + timedelta(days=1)
    d[21] = d[17] + timedelta(days=30)
    d[22] = add_months(d[15], 12) - timedelta(days=10)
    d[23] = add_months(d[15], 12)
    d[24] = d[23] + timedelta(days=10)
    d[25] = d[24] + timedelta(days=1)
    return d


def passed_vote(w: World, record: DevelopmentRecord, number: int, on: date) -> int:
    """The 支部党员大会 of the village on ``on`` passes step ``number`` of ``record``
    (everyone present, every voting member in favour), through the voting engine."""
    return development_vote_on_record(
        w.village, on, record_id=record.pk, number=number, subject=f"第{number}步表决"
    ).pk


def step_input(
    w: World,
    number: int,
    on: date,
    dates: dict,
    record: DevelopmentRecord | None = None,
    **extra: object,
) -> StepInput:
    data = StepInput(done_on=on, uploads=uploads(number), note=f"第{number}步情况")
    if number == 5:
        data.people = w.contacts[:1]
    if number == 9:
        data.people = list(w.contacts)
    if number == 11:
        data.details = {"training_days": 3, "training_hours": 24}
    if number == 13:
        data.details = {
            "publicity_from": dates["publicity_from"].isoformat(),
            "publicity_to": dates["publicity_to"].isoformat(),
        }
    if number in (15, 23) and record is not None:
        data.ballot_id = passed_vote(w, record, number, on)
    if number == 23:
        data.details = {"outcome": extra.pop("outcome", "full")}
        if "extension_months" in extra:
            data.details["extension_months"] = extra.pop("extension_months")
    for key, value in extra.items():
        setattr(data, key, value)
    return data


def do_step(
    w: World, record: DevelopmentRecord, number: int, on: date, dates: dict, **extra: object
) -> StepEntry:
    entry = step_record(
        scope=w.branch_scope,
        record=record,
        number=number,
        data=step_input(w, number, on, dates, record, **extra),
        actor=w.branchsec,
    )
    if entry.state == StepEntry.State.PENDING:
        entry = step_review(
            scope=w.town_scope,
            entry=entry,
            approve=True,
            actor=w.townsec,
            decided_on=on,
            password=PASSWORD,  # asked again for the approval decisions (17, 24)
        )
    return entry


def walk(
    w: World, *, start: date, until: int, **person_kw: object
) -> tuple[DevelopmentRecord, dict]:
    """A record with steps 1..``until`` done on the planned dates."""
    dates = plan(start)
    record = applied(w, dates[1], **person_kw)
    for number in range(2, until + 1):
        do_step(w, record, number, dates[number], dates)
    record.refresh_from_db()
    return record, dates
