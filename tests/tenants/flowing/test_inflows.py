"""The destination side inside the city (issue 21 item 2): a member of alpha flowing into
beta appears in beta's list through the public notice alone, beta assigns a branch that
alpha then reads, the branch has them at its meeting as a guest without a vote, and the
dues are paid in exactly one place (alpha bills none of the months away when the home
branch decided they are paid at the destination; beta records them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.interchange.models import FlowNotice
from tenants.access.scope import scope_for
from tenants.dues.billing import bills_backfill, bills_generate
from tenants.dues.models import DuesBill
from tenants.flowing import inflows, services
from tenants.flowing.models import DuesPlace, Inflow, Paper
from tenants.flowing.tasks import sync_inflows
from tenants.members.models import Member
from tenants.orglife.guests import guest_add, guest_candidates, guests_mark
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import BallotVoter, MeetingGuest
from tenants.orglife.voting import ballot_cast, ballot_close, ballot_open
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import ALPHA, BETA
from tests.tenants.dues.conftest import with_base
from zhdj.errors import AccessDenied, ApplicationError

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)
LEFT = MONTH - relativedelta(months=2)  # the member left two months ago


def _going(dues_place: str = DuesPlace.DESTINATION, starts_on: date = LEFT):  # type: ignore[no-untyped-def]
    return services.Going(
        reason="work",
        destination_code=BETA.region_code,
        place="横山区某工地",
        starts_on=starts_on,
        ends_on=starts_on + relativedelta(months=11),
        contact="13800000000",
        paper=Paper.CARD,
        dues_place=dues_place,
    )


def _flow(b, dues_place: str = DuesPlace.DESTINATION):  # type: ignore[no-untyped-def]
    """Alpha registers its member going to beta and the town committee issues the card."""
    member = Member.objects.get(pk=b.member_scope.member_id)
    outflow = services.outflow_register(
        scope=b.sec_scope, member=member, going=_going(dues_place), actor=b.secretary
    )
    outflow = services.card_issue(scope=scope_for(b.townsec), outflow=outflow, actor=b.townsec)
    return member, outflow


def _beta(username: str):  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    return user, scope_for(user)


def _placed(b) -> tuple[Inflow, Organization]:  # type: ignore[no-untyped-def]
    """In beta (the caller's schema): synced and assigned to beta's 某村党支部."""
    inflows.inflows_sync()
    admin, scope = _beta("admin")
    village = Organization.objects.get(name=f"{BETA.name}某村党支部")
    inflow = inflows.inflow_place(
        scope=scope, inflow=Inflow.objects.get(), org=village, actor=admin
    )
    return inflow, village


def test_the_destination_sees_the_member_and_the_home_sees_the_branch(b):  # type: ignore[no-untyped-def]
    member, outflow = _flow(b)
    with schema_context(BETA.schema):
        assert not Inflow.objects.exists()
        with CaptureQueriesContext(connection) as queries:
            assert sync_inflows.run() == 1  # the beat's task, run here
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert f'"{ALPHA.schema}".' not in sql  # the notice in public, never alpha's tables
        assert "interchange_flownotice" in sql and "flowing_outflow" not in sql
        assert inflows.inflows_sync() == 0  # nothing new the second time
        inflow = Inflow.objects.get()
        assert (inflow.name, inflow.phone, inflow.card_serial) == (
            member.name, "13800000000", outflow.card_serial,
        )  # fmt: skip
        assert inflow.source_schema == ALPHA.schema and inflow.dues_here
        admin, admin_scope = _beta("admin")
        _, sec_scope = _beta("branchsec")
        # Not yet assigned: the county sees it, the branch does not.
        assert list(inflows.inflows_visible(admin_scope)) == [inflow]
        assert not inflows.inflows_visible(sec_scope).exists()
        with pytest.raises(AccessDenied):  # a branch does not assign
            inflows.inflow_place(
                scope=sec_scope, inflow=inflow, org=Organization.objects.first(), actor=admin
            )
        town = Organization.objects.get(name=f"{BETA.name}某镇党委")
        with pytest.raises(ApplicationError) as refused:  # a committee holds no members
            inflows.inflow_place(scope=admin_scope, inflow=inflow, org=town, actor=admin)
        assert refused.value.field == "org"
        inflow, village = _placed(b)
        assert list(inflows.inflows_visible(sec_scope)) == [inflow]
    notice = FlowNotice.objects.get(source_schema=ALPHA.schema, source_outflow_id=outflow.pk)
    assert notice.target_org_name == f"{BETA.name} {village.name}"
    assert notice.target_org_id == village.pk and connection.schema_name == ALPHA.schema
    page = logged_in(ALPHA.host, "branchsec").get(f"/flowing/{outflow.pk}/").content.decode()
    assert f"{BETA.name} {village.name}" in page  # the home branch sees where they go


def test_the_return_ends_the_inflow(b):  # type: ignore[no-untyped-def]
    _, outflow = _flow(b)
    with schema_context(BETA.schema):
        inflows.inflows_sync()
    services.outflow_return(
        scope=b.sec_scope, outflow=outflow, returned_on=TODAY, card_returned=True,
        actor=b.secretary,
    )  # fmt: skip
    with schema_context(BETA.schema):
        assert inflows.inflows_sync() == 1
        inflow = Inflow.objects.get()
        assert inflow.state == Inflow.State.ENDED
        admin, scope = _beta("admin")
        with pytest.raises(ApplicationError):
            inflows.inflow_place(
                scope=scope,
                inflow=inflow,
                org=Organization.objects.get(name=f"{BETA.name}某村党支部"),
                actor=admin,
            )


def test_a_guest_attends_without_a_vote(b):  # type: ignore[no-untyped-def]
    _flow(b)
    with schema_context(BETA.schema):
        inflow, village = _placed(b)
        secretary, scope = _beta("branchsec")

        def ballot(meeting):  # type: ignore[no-untyped-def]
            return ballot_open(
                scope=scope, meeting=meeting, kind="resolution", subject="决议",
                actor=secretary,
            )  # fmt: skip

        without = ballot(meeting_on_record(village, TODAY - timedelta(days=1)))
        meeting = meeting_on_record(village, TODAY - timedelta(days=1))
        assert [i.pk for i in guest_candidates(meeting)] == [inflow.pk]
        guest = guest_add(scope=scope, meeting=meeting, inflow_id=inflow.pk, actor=secretary)
        assert not guest_candidates(meeting).exists()
        assert guests_mark(scope=scope, meeting=meeting, present_ids={guest.pk}, actor=None) == 1
        assert MeetingGuest.objects.get().present
        with_guest = ballot(meeting)
        roll = set(with_guest.voters.values_list("member_id", flat=True))
        assert roll == set(without.voters.values_list("member_id", flat=True))
        assert (with_guest.eligible, with_guest.expected) == (without.eligible, without.expected)
        assert meeting.attendances.count() == len(roll)  # the expected count: members only
        # The guest is no member of beta: no roll row, no way to vote.
        assert not Member.objects.filter(name=inflow.name).exists()
        assert not BallotVoter.objects.filter(member__name=inflow.name).exists()
        with pytest.raises(AccessDenied):
            ballot_cast(ballot=with_guest, member_id=None, choice="yes")
        for member_id in roll:
            ballot_cast(ballot=with_guest, member_id=member_id, choice="yes")
        closed = ballot_close(scope=scope, ballot=with_guest, actor=secretary)
        assert closed.present == without.eligible and closed.yes == len(roll)
        # A meeting of another branch cannot have them as guests.
        other = Organization.objects.get(name=f"{BETA.name}另一村党支部")
        elsewhere = meeting_on_record(other, TODAY - timedelta(days=1))
        with pytest.raises(ApplicationError):
            guest_add(
                scope=scope_for(User.objects.get(username="admin")),
                meeting=elsewhere,
                inflow_id=inflow.pk,
                actor=None,
            )


def _bill_months(member) -> list[date]:  # type: ignore[no-untyped-def]
    return list(DuesBill.objects.filter(member=member).values_list("month", flat=True))


def test_dues_in_exactly_one_place(b):  # type: ignore[no-untyped-def]
    admin_scope = scope_for(User.objects.get(username="admin"))
    member = with_base(
        admin_scope, Member.objects.get(pk=b.member_scope.member_id),
        from_month=LEFT - relativedelta(months=1),
    )  # fmt: skip
    before = LEFT - relativedelta(months=1)
    for month in (before, LEFT):  # billed before the card was issued
        bills_generate(scope=admin_scope, month=month)
    _, outflow = _flow(b)
    for month in (LEFT, LEFT + relativedelta(months=1), MONTH):
        bills_generate(scope=admin_scope, month=month)
    # The month billed before the card (unpaid) is withdrawn; no month away is billed.
    bills_backfill(scope=admin_scope, member=member)
    assert _bill_months(member) == [before]
    with schema_context(BETA.schema):
        inflow, _ = _placed(b)
        secretary, scope = _beta("branchsec")
        with pytest.raises(ApplicationError) as refused:
            inflows.inflow_dues_record(
                scope=scope, inflow=inflow, through_month=LEFT - relativedelta(months=1),
                actor=secretary,
            )  # fmt: skip
        assert refused.value.field == "through_month"
        inflows.inflow_dues_record(scope=scope, inflow=inflow, through_month=TODAY, actor=secretary)
        assert Inflow.objects.get().dues_paid_through == MONTH
    assert FlowNotice.objects.get().dues_paid_through == MONTH
    # Back home this month: billing resumes the month after.
    services.outflow_return(
        scope=b.sec_scope, outflow=outflow, returned_on=TODAY, card_returned=True,
        actor=b.secretary,
    )  # fmt: skip
    after = MONTH + relativedelta(months=1)
    bills_generate(scope=admin_scope, month=MONTH)
    bills_generate(scope=admin_scope, month=after, today=after)
    assert _bill_months(member) == [before, after]


def test_dues_kept_at_home_are_billed_at_home_and_refused_at_the_destination(b):  # type: ignore[no-untyped-def]
    admin_scope = scope_for(User.objects.get(username="admin"))
    member = with_base(
        admin_scope, Member.objects.get(pk=b.member_scope.member_id), from_month=LEFT
    )
    _flow(b, DuesPlace.HOME)
    for month in (LEFT, MONTH):
        bills_generate(scope=admin_scope, month=month)
    assert _bill_months(member) == [LEFT, MONTH]
    with schema_context(BETA.schema):
        inflow, _ = _placed(b)
        assert not inflow.dues_here
        secretary, scope = _beta("branchsec")
        with pytest.raises(ApplicationError) as refused:
            inflows.inflow_dues_record(
                scope=scope, inflow=inflow, through_month=MONTH, actor=secretary
            )
        assert "原党支部交纳" in refused.value.message
        assert Inflow.objects.get().dues_paid_through is None


def test_the_pages_of_beta_and_never_alphas(b):  # type: ignore[no-untyped-def]
    _flow(b)
    connection.set_schema_to_public()
    beta_admin = logged_in(BETA.host, "admin")
    page = beta_admin.get("/flowing/inflows/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "流入党员" in text and "学习在原区县平台进行" in text
    with schema_context(BETA.schema):
        inflow = Inflow.objects.get()
        village = Organization.objects.get(name=f"{BETA.name}某村党支部")
    assert inflow.name in text
    detail = beta_admin.get(f"/flowing/inflows/{inflow.pk}/")
    assert detail.status_code == 200 and "学习在原区县平台进行" in detail.content.decode()
    assert "横山区某工地" in detail.content.decode()  # where the member stays, as recorded
    bad = beta_admin.post(f"/flowing/inflows/{inflow.pk}/place/", {"place-org": "abc"})
    assert bad.status_code == 400 and "参加组织生活的党支部" in bad.content.decode()
    done = beta_admin.post(f"/flowing/inflows/{inflow.pk}/place/", {"place-org": village.pk})
    assert done.status_code == 302
    beta_sec = logged_in(BETA.host, "branchsec")
    assert inflow.name in beta_sec.get("/flowing/inflows/").content.decode()
    wrong = beta_sec.post(f"/flowing/inflows/{inflow.pk}/dues/", {"dues-through_month": "2001-01"})
    assert wrong.status_code == 400 and "党费交至应在" in wrong.content.decode()
    month = f"{TODAY:%Y-%m}"
    paid = beta_sec.post(f"/flowing/inflows/{inflow.pk}/dues/", {"dues-through_month": month})
    assert paid.status_code == 302
    with schema_context(BETA.schema):
        assert Inflow.objects.get().dues_paid_through == MONTH
    # Alpha's users reach nothing of beta's: not the id on their own site, not beta's site.
    alpha_admin = logged_in(ALPHA.host, "admin")
    assert inflow.name not in alpha_admin.get("/flowing/inflows/").content.decode()
    assert alpha_admin.get(f"/flowing/inflows/{inflow.pk}/").status_code == 404
    foreign = alpha_admin.post(f"/flowing/inflows/{inflow.pk}/place/", {"place-org": village.pk})
    assert foreign.status_code == 404
    alpha_member = logged_in(ALPHA.host, "member")
    assert alpha_member.get("/flowing/inflows/").status_code == 403
    on_beta = alpha_admin.get(f"/flowing/inflows/{inflow.pk}/", HTTP_HOST=BETA.host)
    assert on_beta.status_code in (302, 403, 404) and inflow.name not in on_beta.content.decode()


def test_the_meeting_page_has_the_guests_apart_from_the_roll(b):  # type: ignore[no-untyped-def]
    _flow(b)
    with schema_context(BETA.schema):
        inflow, village = _placed(b)
        meeting = meeting_on_record(village, TODAY - timedelta(days=1))
    connection.set_schema_to_public()
    sec = logged_in(BETA.host, "branchsec")
    page = sec.get(f"/orglife/{meeting.pk}/").content.decode()
    assert "列席的流入党员" in page and "没有表决权" in page and inflow.name in page
    assert sec.post(f"/orglife/{meeting.pk}/guests/add/", {"inflow": "x"}).status_code == 400
    assert sec.post(f"/orglife/{meeting.pk}/guests/add/", {"inflow": inflow.pk}).status_code == 302
    with schema_context(BETA.schema):
        guest = MeetingGuest.objects.get(meeting_id=meeting.pk)
    marked = sec.post(f"/orglife/{meeting.pk}/guests/", {"present": [guest.pk]})
    assert marked.status_code == 302
    page = sec.get(f"/orglife/{meeting.pk}/").content.decode()
    with schema_context(BETA.schema):
        assert MeetingGuest.objects.get(pk=guest.pk).present
        roll = meeting.attendances.count()
    assert f"应到 {roll}" in page and f'id="g{guest.pk}" checked' in page
