"""The one voting engine (domain-rules §1 steps 15 and 23, §4): who may vote comes from the
roster at the meeting's date; quorum and majority are "more than" the standards' share of
the expected voting members; written opinions count as votes, not as presence; a second
ballot is refused; a secret ballot keeps no link between a voter and a choice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tenants.members.models import Member
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import Attendance, Ballot, BallotVoter, LeaveState
from tenants.orglife.services import leave_decide
from tenants.orglife.voting import ballot_cast, ballot_close, ballot_open, evaluate
from zhdj.errors import AccessDenied, ApplicationError

DAY = timezone.localdate() - timedelta(days=3)


def _ballot(b, *, secret: bool = True, absent: int = 0, **kw) -> Ballot:  # type: ignore[no-untyped-def]
    meeting = kw.pop("meeting", None) or meeting_on_record(b.village, DAY, absent=absent)
    return ballot_open(
        scope=b.sec_scope,
        meeting=meeting,
        kind="resolution",
        subject="决议",
        secret=secret,
        actor=b.secretary,
        **kw,
    )


@pytest.mark.parametrize(
    ("expected", "present", "yes", "quorum", "passed"),
    [
        (10, 6, 6, True, True),
        (10, 5, 5, False, False),  # exactly half present: no vote
        (10, 9, 5, True, False),  # exactly half yes: not passed
        (9, 5, 5, True, True),
        (9, 9, 4, True, False),
        (3, 2, 2, True, True),
    ],
)
def test_quorum_and_majority_are_more_than_half_of_the_expected(
    expected, present, yes, quorum, passed
):
    outcome = evaluate(
        expected=expected, present=present, yes=yes, quorum_percent=50, majority_percent=50
    )
    assert (outcome.quorum_met, outcome.passed) == (quorum, passed)
    assert outcome.passed or outcome.reason


def test_the_roll_comes_from_the_roster_at_the_meetings_date(b):
    prob = Member.objects.get(name="李支书")
    Member.objects.filter(pk=prob.pk).update(category_code="probationary", full_member_at=None)
    late = Member.objects.get(name="王书记")
    Member.objects.filter(pk=late.pk).update(full_member_at=DAY + timedelta(days=1))
    ballot = _ballot(b)
    rows = {v.member.name: v for v in ballot.voters.select_related("member")}
    assert not rows["李支书"].eligible and "预备党员" in rows["李支书"].note
    assert not rows["王书记"].eligible and "尚未转正" in rows["王书记"].note
    assert rows[Member.objects.get(pk=b.member_id("党员")).name].eligible
    assert (ballot.eligible, ballot.excused, ballot.expected) == (1, 0, 1)


def test_an_excused_member_leaves_the_expected_count_with_the_reason(b):
    meeting = meeting_on_record(b.village, DAY, absent=1)
    absent = Attendance.objects.get(meeting=meeting, present=False)
    Attendance.objects.filter(pk=absent.pk).update(
        leave=LeaveState.ASKED, leave_reason="外出务工，经支部批准"
    )
    leave_decide(scope=b.sec_scope, attendance=absent, approve=True, excused=True, actor=None)
    ballot = _ballot(b, meeting=meeting)
    voter = ballot.voters.get(member=absent.member)
    assert voter.excused and "外出务工" in voter.note
    assert (ballot.eligible, ballot.excused, ballot.expected) == (3, 1, 2)
    with pytest.raises(ApplicationError, match="不计入"):
        ballot_cast(ballot=ballot, member_id=absent.member_id, choice="yes")


def test_a_suspended_member_does_not_vote(b):
    Member.objects.filter(name="王书记").update(party_status_code="suspended")
    ballot = _ballot(b)
    assert ballot.voters.get(member__name="王书记").eligible is False
    assert ballot.expected == 2


def test_written_opinions_count_as_votes_not_as_presence(b):
    # One of three absent: present 2 > 1.5; two yes at the meeting, the absent one's
    # written opinion counts among the votes.
    ballot = _ballot(b, absent=1)
    absent = Attendance.objects.get(meeting=ballot.meeting, present=False).member_id
    ids = list(ballot.voters.values_list("member_id", flat=True))
    for member_id in ids:
        ballot_cast(
            ballot=ballot, member_id=member_id, choice="no" if member_id == absent else "yes"
        )
    ballot = ballot_close(scope=b.sec_scope, ballot=ballot, actor=b.secretary)
    assert (ballot.expected, ballot.present, ballot.yes, ballot.no, ballot.written) == (
        3,
        2,
        2,
        1,
        1,
    )
    assert ballot.passed


def test_without_quorum_written_opinions_do_not_save_the_vote(b):
    ballot = _ballot(b, absent=2)  # 1 of 3 present
    for member_id in ballot.voters.values_list("member_id", flat=True):
        ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    ballot = ballot_close(scope=b.sec_scope, ballot=ballot, actor=b.secretary)
    assert (ballot.present, ballot.yes, ballot.quorum_met, ballot.passed) == (1, 3, False, False)


def test_a_second_ballot_is_refused(b):
    ballot = _ballot(b)
    member_id = b.member_id("党员")
    ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    with pytest.raises(ApplicationError, match="已经投过票"):
        ballot_cast(ballot=ballot, member_id=member_id, choice="no")
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no) == (1, 0)


def test_someone_not_on_the_roll_cannot_vote(b):
    ballot = _ballot(b)
    with pytest.raises(AccessDenied):
        ballot_cast(ballot=ballot, member_id=b.member_id("赵其他"), choice="yes")


def test_the_thresholds_come_from_the_county_rules(b, county_rule):
    county_rule("orglife.quorum_percent", "66")
    ballot = _ballot(b, absent=1)  # 2 of 3 present = 66.7% > 66%
    assert ballot.quorum_percent == 66
    for member_id in ballot.voters.values_list("member_id", flat=True)[:2]:
        ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    assert ballot_close(scope=b.sec_scope, ballot=ballot, actor=None).passed


def test_a_counted_ballot_checks_the_counts_against_the_roll(b):
    ballot = _ballot(b, absent=1, mode="counted")
    with pytest.raises(ApplicationError, match="书面意见"):
        ballot_close(scope=b.sec_scope, ballot=ballot, actor=None, counted=_counted(2, written=2))
    with pytest.raises(ApplicationError, match="合计不能多于"):
        ballot_close(scope=b.sec_scope, ballot=ballot, actor=None, counted=_counted(3))
    ballot = ballot_close(
        scope=b.sec_scope, ballot=ballot, actor=None, counted=_counted(3, written=1)
    )
    assert (ballot.yes, ballot.written, ballot.passed) == (3, 1, True)


def _counted(yes: int, written: int = 0):  # type: ignore[no-untyped-def]
    from tenants.orglife.voting import Counted

    return Counted(yes=yes, written=written)


def test_only_those_who_run_the_branch_open_and_count(b):
    meeting = meeting_on_record(b.village, DAY)
    with pytest.raises(AccessDenied):
        ballot_open(
            scope=b.member_scope, meeting=meeting, kind="resolution", subject="x", actor=None
        )
    ballot = _ballot(b, meeting=meeting)
    with pytest.raises(AccessDenied):
        ballot_close(scope=b.member_scope, ballot=ballot, actor=None)


def test_a_secret_ballot_cannot_be_tied_to_its_voters_by_reading_every_table(b):
    ballot = _ballot(b, secret=True)
    choices = dict(
        zip(
            ballot.voters.values_list("member_id", flat=True), ["yes", "no", "abstain"], strict=True
        )
    )
    for member_id, choice in choices.items():
        ballot_cast(ballot=ballot, member_id=member_id, choice=choice)
    ballot_close(scope=b.sec_scope, ballot=ballot, actor=b.secretary)
    # Every row of every table of the county's schema (and public), as text: none names
    # a voter together with a choice; the roll keeps no choice and no time.
    assert set(BallotVoter.objects.filter(ballot=ballot).values_list("choice", flat=True)) == {""}
    assert not any(
        f.get_internal_type() in ("DateTimeField", "DateField") for f in BallotVoter._meta.fields
    )
    voters = set(choices)
    words = {"yes", "no", "abstain"}
    with connection.cursor() as cursor:
        cursor.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in (current_schema(), 'public') and table_type = 'BASE TABLE'"
        )
        for schema, table in cursor.fetchall():
            cursor.execute(f'select row_to_json(t)::text from "{schema}"."{table}" t')
            for (text,) in cursor.fetchall():
                row = json.loads(text)
                has_choice = any(isinstance(v, str) and v in words for v in row.values())
                names_voter = any(
                    "member" in k and v in voters for k, v in row.items() if isinstance(v, int)
                )
                assert not (has_choice and names_voter), (table, row)
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain) == (1, 1, 1)


def test_an_open_ballot_records_each_choice(b):
    ballot = _ballot(b, secret=False)
    member_id = b.member_id("党员")
    ballot_cast(ballot=ballot, member_id=member_id, choice="no")
    assert BallotVoter.objects.get(ballot=ballot, member_id=member_id).choice == "no"


def test_probationary_members_speak_but_are_not_on_the_vote(b):
    Member.objects.filter(pk=b.member_id("党员")).update(
        category_code="probationary", full_member_at=None
    )
    ballot = _ballot(b)
    with pytest.raises(ApplicationError, match="没有表决权"):
        ballot_cast(ballot=ballot, member_id=b.member_id("党员"), choice="yes")
    assert ballot.voters.get(member_id=b.member_id("党员")).note.startswith("预备党员")
