"""Going out, the card, return, contacts and 失联 deadlines, through the services, as the
rules say (domain-rules §8), with the branch's secretary and the town committee."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import FlowNotice, LetterRecord
from shared.interchange.selectors import letter_status
from tenants.access.scope import scope_for
from tenants.flowing import selectors, services
from tenants.flowing.models import ContactLog, Direction, DuesPlace, Outflow, Paper
from tenants.members.models import Member
from tenants.rules.services import rule_override_set
from tests.support.world import PASSWORD
from zhdj.errors import AccessDenied, ApplicationError

TODAY = timezone.localdate()


def _going(**kw):  # type: ignore[no-untyped-def]
    values = {
        "reason": "work",
        "destination_code": "440000",
        "place": "深圳市某电子厂",
        "starts_on": TODAY - timedelta(days=10),
        "ends_on": TODAY + relativedelta(months=11),
        "contact": "13800000000",
        "paper": Paper.CARD,
    }
    return services.Going(**(values | kw))


def _plain(b):  # type: ignore[no-untyped-def]
    return Member.objects.get(pk=b.member_scope.member_id)


@pytest.mark.parametrize(
    ("kw", "paper", "why"),
    [
        ({"ends_on": TODAY + relativedelta(months=3)}, Paper.LETTER, "党员证明信"),
        ({"settled": True}, Paper.TRANSFER, "转接组织关系"),
        ({"returns_often": True}, Paper.NONE, "不作为流动党员"),
        ({"destination_code": "abroad", "place": "英国伦敦"}, Paper.ABROAD, "保留组织关系"),
    ],
)
def test_the_wrong_paper_is_refused_with_the_rule(b, kw, paper, why):  # type: ignore[no-untyped-def]
    member = _plain(b)
    with pytest.raises(ApplicationError) as refused:
        services.outflow_register(
            scope=b.sec_scope, member=member, going=_going(**kw), actor=b.secretary
        )
    assert refused.value.field == "paper" and why in refused.value.message
    assert not Outflow.objects.exists()
    if paper in (Paper.ABROAD,):
        services.outflow_register(
            scope=b.sec_scope, member=member, going=_going(**kw, paper=paper), actor=b.secretary
        )
        assert Outflow.objects.get().direction == Direction.ABROAD


def test_a_destination_must_be_chosen(b):  # type: ignore[no-untyped-def]
    for code in ("", "999999", "610800"):
        with pytest.raises(ApplicationError) as refused:
            services.outflow_register(
                scope=b.sec_scope,
                member=_plain(b),
                going=_going(destination_code=code),
                actor=b.secretary,
            )
        assert refused.value.field == "destination_code"


def test_card_issued_verified_and_handed_back(b, alpha):  # type: ignore[no-untyped-def]
    member = _plain(b)
    outflow = services.outflow_register(
        scope=b.sec_scope, member=member, going=_going(), actor=b.secretary
    )
    member.refresh_from_db()
    assert member.flowing and member.flow_destination == "广东省"
    assert outflow.direction == Direction.OUT_OF_PROVINCE and not outflow.card_serial
    with pytest.raises(AccessDenied):  # the branch does not issue the card
        services.card_issue(scope=b.sec_scope, outflow=outflow, actor=b.secretary)
    outflow = services.card_issue(scope=scope_for(b.townsec), outflow=outflow, actor=b.townsec)
    assert outflow.card_serial.startswith("LD610802-")
    status = letter_status(outflow.card_token)
    assert status and status.valid and status.to_name == "广东省"
    assert status.masked_name.startswith(member.name[0]) and member.name not in status.masked_name
    assert LetterRecord.objects.get(token=outflow.card_token).kind == "card"
    with pytest.raises(ApplicationError):
        services.outflow_return(
            scope=b.sec_scope, outflow=outflow, returned_on=TODAY, card_returned=False,
            actor=b.secretary,
        )  # fmt: skip
    services.outflow_return(
        scope=b.sec_scope, outflow=outflow, returned_on=TODAY, card_returned=True,
        actor=b.secretary,
    )  # fmt: skip
    member.refresh_from_db()
    assert not member.flowing and not letter_status(outflow.card_token).valid


def test_a_destination_in_another_county_of_the_city_gets_a_notice(b, alpha, beta):  # type: ignore[no-untyped-def]
    member = _plain(b)
    outflow = services.outflow_register(
        scope=b.sec_scope,
        member=member,
        going=_going(destination_code="610803", dues_place=DuesPlace.DESTINATION),
        actor=b.secretary,
    )
    assert outflow.direction == Direction.WITHIN_CITY and outflow.target_schema == beta.schema
    services.card_issue(scope=scope_for(b.townsec), outflow=outflow, actor=b.townsec)
    notice = FlowNotice.objects.get()
    assert notice.target_schema == beta.schema and notice.dues_at_destination
    assert member.name not in notice.masked_name and member.name not in notice.payload
    assert connection.schema_name == alpha.schema


def test_deadlines_follow_the_county_rules(b):  # type: ignore[no-untyped-def]
    member = _plain(b)
    start = TODAY - relativedelta(months=7)
    services.outflow_register(
        scope=b.sec_scope,
        member=member,
        going=_going(starts_on=start, ends_on=start + relativedelta(months=12)),
        actor=b.secretary,
    )
    due = selectors.deadlines(b.sec_scope, TODAY)
    assert [d.member for d in due] == [member] and "长期未联系" in due[0].what
    services.contact_record(
        scope=b.sec_scope, member=member, kind=ContactLog.Kind.REACHED, on=TODAY,
        way="电话", note="在深圳务工，一切正常", actor=b.secretary,
    )  # fmt: skip
    assert selectors.deadlines(b.sec_scope, TODAY) == []
    (row,) = selectors.away(b.sec_scope, TODAY)
    assert row.report_due == TODAY + relativedelta(months=12)
    admin = User.objects.get(username="admin")
    rule_override_set(
        scope=scope_for(admin), key="flowing.report_months", value=6, reason="试行", actor=admin
    )
    (row,) = selectors.away(b.sec_scope, TODAY)
    assert row.report_due == TODAY + relativedelta(months=6)


def test_lost_contact_runs_to_suspension_by_the_rules(b):  # type: ignore[no-untyped-def]
    member = _plain(b)
    since = TODAY - relativedelta(months=7)
    services.lost_contact_mark(
        scope=b.sec_scope, member=member, since=since, code="migrant",
        steps="电话、微信、走访家属均未联系上", actor=b.secretary, password=PASSWORD,
    )  # fmt: skip
    member.refresh_from_db()
    assert member.lost_contact and member.lost_contact_at == since
    (due,) = selectors.deadlines(b.sec_scope, TODAY)
    assert "停止党籍" in due.what and due.overdue(TODAY) and due.steps == 1
    assert due.due == since + relativedelta(months=6)
    assert selectors.figures(b.sec_scope).lost == 1
    other = scope_for(User.objects.get(username="townsec"))
    assert [d.member for d in selectors.deadlines(other, TODAY)] == [member]


def test_a_card_to_issue_is_reported_to_the_base_committee(b):  # type: ignore[no-untyped-def]
    from tenants.notifications.models import Notification

    outflow = services.outflow_register(
        scope=b.sec_scope, member=_plain(b), going=_going(), actor=b.secretary
    )
    (told,) = Notification.objects.filter(recipient=b.townsec)
    assert "待发放流动党员活动证" in told.title and f"/flowing/{outflow.pk}/" in told.url
    assert not Notification.objects.filter(recipient=b.secretary).exists()


def test_a_registration_in_error_is_cancelled_and_its_card_voided(b):  # type: ignore[no-untyped-def]
    member = _plain(b)
    outflow = services.outflow_register(
        scope=b.sec_scope, member=member, going=_going(), actor=b.secretary
    )
    outflow = services.card_issue(scope=scope_for(b.townsec), outflow=outflow, actor=b.townsec)
    services.outflow_cancel(scope=b.sec_scope, outflow=outflow, actor=b.secretary)
    outflow.refresh_from_db()
    member.refresh_from_db()
    assert outflow.state == "cancelled" and "撤销" in outflow.note and not member.flowing
    assert not letter_status(outflow.card_token).valid
    again = services.outflow_register(
        scope=b.sec_scope, member=member, going=_going(), actor=b.secretary
    )
    services.contact_record(
        scope=b.sec_scope, member=member, kind=ContactLog.Kind.REACHED, on=TODAY,
        way="电话", note="已到深圳", actor=b.secretary,
    )  # fmt: skip
    with pytest.raises(ApplicationError):  # contacts recorded: a return, not a cancel
        services.outflow_cancel(scope=b.sec_scope, outflow=again, actor=b.secretary)
    with pytest.raises(ApplicationError) as early:
        services.contact_record(
            scope=b.sec_scope, member=member, kind=ContactLog.Kind.REACHED,
            on=again.starts_on - timedelta(days=1), way="电话", note="尚未出发", actor=b.secretary,
        )  # fmt: skip
    assert early.value.field == "on"


def test_abroad_is_counted_as_one_destination_with_the_country_as_place(b):  # type: ignore[no-untyped-def]
    outflow = services.outflow_register(
        scope=b.sec_scope,
        member=_plain(b),
        going=_going(destination_code="abroad", place="英国伦敦", paper=Paper.ABROAD),
        actor=b.secretary,
    )
    assert (outflow.destination, outflow.place) == ("出国（境）", "英国伦敦")
    assert selectors.figures(b.sec_scope).by_destination == [("出国（境）", 1)]
