"""bench/city/extras on the test world: the rows it makes are rows the application
accepts — every step in order and on time by the app's own checks, dues that add up,
transfers in open states — and the reminders, rollups and selectors read them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from bench.city.extras import developments, dues, transfers
from shared.accounts.models import User
from shared.interchange.models import TransferEnvelope
from shared.payments.models import PaymentOrder
from shared.rollups.collect import collect_current
from tenants.access.scope import scope_for
from tenants.development.checks import check_order
from tenants.development.models import PIPELINE, DevelopmentRecord, Status
from tenants.development.reminders import due_items
from tenants.development.selectors import done_dates
from tenants.development.steps import add_months, steps
from tenants.development.timeline import timeline
from tenants.dues.models import DuesBill, DuesPayment
from tenants.dues.selectors import collection_by_month, unpaid_bills
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tenants.transfers.models import OPEN_STATES, Transfer
from tenants.transfers.selectors import figures, transfers_visible
from tests.support.names import chinese_number
from zhdj.pii.idnumber import make_id_number

pytestmark = pytest.mark.django_db


def _admitted_members(today: date) -> None:
    """A probationary member and one made full a month ago: what steps 17 and 24 leave,
    for the generator to give a development file."""
    admin = scope_for(User.objects.get(username="admin"))
    branch = Organization.objects.get(name__endswith="某村党支部")
    joined = today - timedelta(days=400)
    for n, (birth, category, joined_at, full_at) in enumerate(
        [
            (date(1998, 4, 2), "probationary", today - timedelta(days=120), None),
            (date(1996, 9, 9), "full", joined, add_months(joined, 12)),
        ]
    ):
        member_create(
            scope=admin,
            data=MemberData(
                org=branch,
                name=f"新党员{chinese_number(n)}",
                id_number=make_id_number("610802", birth, 7, "female"),
                ethnicity_code="01",
                category_code=category,
                joined_at=joined_at,
                full_member_at=full_at,
                education_code="21",
            ),
        )


def _replay_in_order(record: DevelopmentRecord) -> None:
    """Every step done passes the app's order check on its date, as if entered then."""
    template = steps()
    probe = DevelopmentRecord(pk=record.pk, org=record.org, status=Status.APPLICANT)
    dates: dict = {}
    for entry in record.entries.filter(state="done").order_by("done_on", "step_number", "id"):
        check_order(
            record=probe, step=template[entry.step_number], done_on=entry.done_on, dates=dates
        )
        dates[entry.step_number] = entry.done_on


def test_developments_cover_every_stage_and_pass_the_rules(alpha):
    today = timezone.localdate()
    with schema_context(alpha.schema):
        _admitted_members(today)
    assert developments(alpha.schema, 1, today, count=40) >= 30
    with schema_context(alpha.schema):
        records = list(DevelopmentRecord.objects.select_related("org", "member"))
        assert {r.status for r in records} == set(PIPELINE)
        for record in records:
            timeline(record)
            _replay_in_order(record)
            if record.member is not None:
                assert record.member.joined_at == done_dates(record)[15]
                assert (record.member.category_code == "full") == (record.status == Status.FULL)
        assert any(i.kind == "overdue" for i in due_items(DevelopmentRecord.objects.all(), today))
        stages = {dim for (key, dim), n in collect_current().figures.items() if n and key ==
                  "development.by_stage"}  # fmt: skip
        assert stages == {Status(s).label for s in PIPELINE}  # the dashboard stores labels


def test_dues_bills_are_paid_by_payments_that_add_up(alpha):
    today = timezone.localdate()
    bills = dues(alpha.schema, 1, today, months=2)
    with schema_context(alpha.schema):
        assert bills == DuesBill.objects.count() == 2 * Member.objects.count()
        for payment in DuesPayment.objects.all():
            assert payment.bills.aggregate(s=Sum("amount_fen"))["s"] == payment.bills_fen
            assert payment.amount_fen == payment.bills_fen + payment.voluntary_fen
            online = payment.channel in ("alipay", "wechat", "unionpay")
            assert PaymentOrder.objects.filter(order_no=payment.order_no).exists() == online
        audited = DuesPayment.pgh_event_model.objects.filter(pgh_label="insert")
        assert audited.count() == DuesPayment.objects.count()
        admin = scope_for(User.objects.get(username="admin"))
        assert collection_by_month(admin, today)
        unpaid_bills(admin, today).count()
        assert any(key.startswith("dues.paid_fen") for key, _ in collect_current().figures)


def test_transfers_are_left_open_within_and_between_counties(alpha, beta):
    today = timezone.localdate()
    made = transfers([alpha.schema, beta.schema], 1, today)
    assert made >= 4
    open_total = 0
    for county in (alpha, beta):
        with schema_context(county.schema):
            assert set(Transfer.objects.values_list("state", flat=True)) <= OPEN_STATES
            admin = scope_for(User.objects.get(username="admin"))
            open_total += figures(transfers_visible(admin)).pending
            for t in Transfer.objects.filter(kind="county_out", state="pending_receiver"):
                envelope = TransferEnvelope.objects.get(source_transfer_id=t.pk)
                assert envelope.state == TransferEnvelope.State.SENT
                assert envelope.source_schema == county.schema
    assert open_total == made
