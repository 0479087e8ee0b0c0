"""Demo data (演示数据): a handful of development records at different stages, with
documents, recorded through the real services. ``seed_county()`` runs inside a county
schema and is idempotent (people already on file are skipped)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import cache

import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.access.scope import Scope
from tenants.development.calendar import add_working_days
from tenants.development.checks import ancestors_of
from tenants.development.documents import Upload
from tenants.development.models import DevelopmentRecord, StepEntry
from tenants.development.person import PersonData
from tenants.development.services import StepInput, record_create, step_record, step_review
from tenants.development.steps import add_months, step
from tenants.members.models import Member
from tenants.orglife.history import development_vote_on_record
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.pii.fields import index_for
from zhdj.pii.idnumber import make_id_number

# name, birth date, sex, last step done
PEOPLE = (
    ("刘晓雨", date(2001, 3, 14), "female", 2),
    ("张志强", date(1996, 9, 2), "male", 6),
    ("王丽娜", date(1994, 12, 20), "female", 12),
    ("赵文博", date(1992, 5, 8), "male", 21),
    ("孙海燕", date(1990, 7, 30), "female", 24),
)


@cache
def _pdf(kind: str) -> bytes:
    """A one-page PDF standing for a scanned document of ``kind`` (rendered once per kind:
    a PDF without pages opened as a blank document for the applicant)."""
    from weasyprint import HTML

    html = (
        '<html lang="zh-CN"><body style="font-family: sans-serif; padding: 3cm">'
        f"<h1 style='text-align:center'>{escape(kind)}</h1>"
        "<p>本文件为演示数据，代表支部上传的纸质材料扫描件。</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


def _uploads(number: int, name: str) -> list[Upload]:
    uploads = []
    for n, kind in enumerate(step(number).documents):
        if n % 2:
            uploads.append(Upload(kind, SimpleUploadedFile(f"{kind}.png", _png(f"{name}{kind}"))))
        else:
            uploads.append(Upload(kind, SimpleUploadedFile(f"{kind}.pdf", _pdf(kind))))
    return uploads


def _dates(last: int, today: date) -> dict:
    """Dates ending near today for a path that stops after ``last``."""
    months_needed = {2: 1, 6: 5, 12: 16, 21: 20, 24: 30}[last]
    start = add_months(today, -months_needed)
    d: dict = {1: start, 2: start + timedelta(days=12)}
    d[3] = add_months(start, 3) + timedelta(days=2)
    d[4] = d[5] = d[3] + timedelta(days=5)
    d[6] = d[5] + timedelta(days=20)
    d[7] = add_months(d[3], 12) + timedelta(days=3)
    d[8] = d[9] = d[10] = d[11] = d[7] + timedelta(days=4)
    d[12] = d[11] + timedelta(days=6)
    d["pub_from"] = d[12] + timedelta(days=1)
    if d["pub_from"] <= today and last >= 13:
        d["pub_to"] = add_working_days(d["pub_from"], 5)
        d[13] = d["pub_to"] + timedelta(days=1)
        d[14] = d[13] + timedelta(days=2)
        d[15] = d[14] + timedelta(days=3)
        d[16] = d[15] + timedelta(days=4)
        d[17] = d[15] + timedelta(days=25)
        d[18] = d[19] = d[20] = d[17] + timedelta(days=2)
        d[21] = d[17] + timedelta(days=60)
        d[22] = add_months(d[15], 12) - timedelta(days=7)
        d[23] = add_months(d[15], 12) + timedelta(days=2)
        d[24] = d[23] + timedelta(days=15)
    return d


def _input(number: int, on: date, d: dict, name: str, full: list[int]) -> StepInput:
    data = StepInput(done_on=on, uploads=_uploads(number, name), note="按规定程序办理。")
    if number == 5:
        data.people = full[:1]
    elif number == 9:
        data.people = full[:2]
    elif number == 11:
        data.details = {"training_days": 3, "training_hours": 24}
    elif number == 13:
        data.details = {
            "publicity_from": d["pub_from"].isoformat(),
            "publicity_to": d["pub_to"].isoformat(),
        }
    if number == 23:
        data.details = {"outcome": "full"}
    return data


def seed_county() -> None:
    admin = User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return
    scope = Scope.system()  # seeding is the platform's own work (no password to re-enter)
    holding = OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True)
    branches = [
        b
        for b in Organization.objects.filter(is_active=True, type_code__in=list(holding)).order_by(
            "path"
        )
        if any(o.has_approval_authority for o in ancestors_of(b))
    ]
    if not branches:
        return
    today = timezone.localdate()
    for n, (name, birth, sex, last) in enumerate(PEOPLE):
        branch = branches[n % len(branches)]
        full = list(
            Member.objects.filter(
                category_code="full", party_status_code="normal", lost_contact=False
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:2]
        )
        id_number = make_id_number("610802", birth, 400 + n, sex)
        if DevelopmentRecord.objects.filter(
            id_number_index=index_for("id_number", id_number)
        ).exists():
            continue
        # introducers need two full members: stop at 6 in a county without them
        upto = 6 if len(full) < 2 and last >= 9 else last
        d = _dates(upto, today)
        record = record_create(
            scope=scope,
            person=PersonData(
                org=branch,
                name=name,
                id_number=id_number,
                ethnicity_code="01",
                education_code="21",
                phone=f"1370000{n:04d}",
                address=f"{branch.name}附近 {n + 1} 号",
            ),
            step=StepInput(done_on=d[1], uploads=_uploads(1, name)),
            actor=admin,
        )
        for number in range(2, upto + 1):
            data = _input(number, d[number], d, name, full)
            if number in (15, 23):  # the branch meeting votes through the one engine
                try:
                    data.ballot_id = development_vote_on_record(
                        branch,
                        d[number],
                        record_id=record.pk,
                        number=number,
                        subject=f"接收{name}为预备党员" if number == 15 else f"{name}转为正式党员",
                    ).pk
                except ApplicationError:  # no full member on the roll that day: stop here
                    break
            entry = step_record(scope=scope, record=record, number=number, data=data, actor=admin)
            if entry.state == StepEntry.State.PENDING:
                step_review(
                    scope=scope, entry=entry, approve=True, actor=admin, decided_on=d[number]
                )
            record.refresh_from_db()
