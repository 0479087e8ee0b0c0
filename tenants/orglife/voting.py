"""The one voting engine (表决): branch resolutions, development steps 15 (接收预备党员) and
23 (预备党员转正), and the democratic appraisal all vote through here.

Who may vote is computed from the roster at the meeting's date (``roster.voting_right``),
never typed; members excused with approval leave the expected count, with their reason.
A vote needs present voting members to exceed ``orglife.quorum_percent`` of the expected
ones, and yes votes (written opinions of absent members included) to exceed
``orglife.majority_percent`` of the expected — "more than half", exactly half is not enough
(domain-rules §1 steps 15 and 23, §4).

Secret ballots: see ``models.ballots``. A member's vote marks their roll row ``voted``
(only if it was not: a second ballot is refused) and raises one counter, in one
transaction; the choice itself is written nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orglife.models import (
    Attendance,
    Ballot,
    BallotKind,
    BallotVoter,
    Choice,
    Meeting,
)
from tenants.orglife.roster import voting_right
from tenants.orglife.types import ASSEMBLY, meeting_types, thresholds
from zhdj.errors import AccessDenied, ApplicationError

log = logging.getLogger(__name__)

# Development steps and the ballot kind each takes (the step's number is in the subject key).
STEP_KINDS = {15: BallotKind.ADMISSION, 23: BallotKind.CONFIRMATION}


def development_key(record_id: int, step: int) -> str:
    return f"development:{record_id}:{step}"


@dataclass(frozen=True)
class Outcome:
    quorum_met: bool
    passed: bool
    reason: str  # in words, when it did not pass


def evaluate(
    *, expected: int, present: int, yes: int, quorum_percent: int, majority_percent: int
) -> Outcome:
    """Quorum and majority against the expected voting members (strictly more than)."""
    if expected <= 0:
        return Outcome(False, False, "没有应到会有表决权的正式党员，不能表决。")
    if present * 100 <= expected * quorum_percent:
        return Outcome(
            False,
            False,
            f"实到会有表决权的正式党员（{present} 人）未超过应到人数（{expected} 人）的"
            f"{_share(quorum_percent)}，会议不能进行表决。",
        )
    if yes * 100 <= expected * majority_percent:
        return Outcome(
            True,
            False,
            f"赞成票（{yes} 票）未超过应到会有表决权的正式党员（{expected} 人）的"
            f"{_share(majority_percent)}，未通过。",
        )
    return Outcome(True, True, "")


def _share(percent: int) -> str:
    return "半数" if percent == 50 else f"{percent}%"


def _require(scope: Scope, meeting: Meeting) -> None:
    scope.require(Perm.ORGLIFE_MANAGE, meeting.org, message="您没有主持该组织表决的权限。")


@transaction.atomic
def ballot_open(
    *,
    scope: Scope,
    meeting: Meeting,
    kind: str,
    subject: str,
    actor: User | None,
    secret: bool = True,
    mode: str = Ballot.Mode.PHONE,
    subject_key: str = "",
) -> Ballot:
    """Put a question to the vote at ``meeting``: the roll is the meeting's expected
    participants with their right to vote on the meeting's date."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(scope, meeting)
    if not meeting.is_open:
        raise ApplicationError(f"会议{meeting.get_status_display()}，不能再发起表决。")
    mtype = meeting_types().get(meeting.type_code)
    if mtype is None or not mtype.votes:
        raise ApplicationError("这类会议不进行表决。")
    if kind not in BallotKind.values:
        raise ApplicationError("请选择表决类型。", field="kind")
    if kind != BallotKind.RESOLUTION and meeting.type_code != ASSEMBLY:
        raise ApplicationError(f"{BallotKind(kind).label}须由支部党员大会表决。", field="kind")
    if mode not in Ballot.Mode.values:
        raise ApplicationError("请选择投票方式。", field="mode")
    subject = (subject or "").strip()
    if not subject or len(subject) > 200:
        raise ApplicationError("请填写表决事项（200 字以内）。", field="subject")
    if (
        subject_key
        and Ballot.objects.filter(
            subject_key=subject_key, meeting=meeting, status=Ballot.Status.OPEN
        ).exists()
    ):
        raise ApplicationError("该事项正在表决中。", field="subject")
    as_of = timezone.localtime(meeting.starts_at).date()
    quorum, majority = thresholds()
    ballot = Ballot.objects.create(
        meeting=meeting,
        kind=kind,
        subject=subject,
        subject_key=subject_key,
        secret=secret,
        mode=mode,
        as_of=as_of,
        quorum_percent=quorum,
        majority_percent=majority,
        opened_by=actor,
    )
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("member"))
    voters = []
    for row in rows:
        right = voting_right(row.member, as_of)
        excused = right.eligible and row.excused
        note = right.note or (f"经批准不计入应到：{row.leave_reason}" if excused else "")
        voters.append(
            BallotVoter(
                ballot=ballot,
                member=row.member,
                eligible=right.eligible,
                excused=excused,
                note=note[:100],
            )
        )
    BallotVoter.objects.bulk_create(voters)
    eligible = sum(1 for v in voters if v.eligible)
    excused_count = sum(1 for v in voters if v.excused)
    if eligible - excused_count <= 0:
        raise ApplicationError("本次会议没有应到会有表决权的正式党员，不能表决。")
    ballot.eligible = eligible
    ballot.excused = excused_count
    ballot.expected = eligible - excused_count
    ballot.save(update_fields=["eligible", "excused", "expected"])
    return ballot


def _voter(ballot: Ballot, member_id: int | None) -> BallotVoter:
    voter = (
        BallotVoter.objects.filter(ballot=ballot, member_id=member_id).first()
        if member_id is not None
        else None
    )
    if voter is None:
        raise AccessDenied("您不在本次表决的名册中。")
    if not voter.eligible:
        raise ApplicationError(f"您在本次表决中没有表决权（{voter.note}）。")
    if voter.excused:
        raise ApplicationError("您已经批准不计入本次表决的应到人数。")
    return voter


@transaction.atomic
def ballot_cast(*, ballot: Ballot, member_id: int | None, choice: str) -> None:
    """One member's vote on the phone: present members vote at the meeting, absent ones
    give their written opinion the same way (counted, not as present). Refused the second
    time, whichever device or request it comes from."""
    if choice not in Choice.values:
        raise ApplicationError("请选择赞成、反对或弃权。", field="choice")
    ballot = Ballot.objects.select_related("meeting").get(pk=ballot.pk)
    if not ballot.is_open:
        raise ApplicationError("表决已结束。")
    if ballot.mode != Ballot.Mode.PHONE:
        raise ApplicationError("本次表决现场计票，不在手机上投票。")
    voter = _voter(ballot, member_id)
    present = Attendance.objects.filter(
        meeting_id=ballot.meeting_id, member_id=member_id, present=True
    ).exists()
    marked = BallotVoter.objects.filter(pk=voter.pk, voted=False).update(
        voted=True, written=not present, choice="" if ballot.secret else choice
    )
    if marked == 0:
        raise ApplicationError("您已经投过票，不能重复投票。")
    counters = {choice: F(choice) + 1}
    if not present:
        counters["written"] = F("written") + 1
    Ballot.objects.filter(pk=ballot.pk, status=Ballot.Status.OPEN).update(**counters)


@dataclass(frozen=True)
class Counted:
    """The result counted at the meeting (paper ballots or a show of hands)."""

    yes: int
    no: int = 0
    abstain: int = 0
    written: int = 0  # absent members' written opinions included in the counts


@transaction.atomic
def ballot_close(
    *, scope: Scope, ballot: Ballot, actor: User | None, counted: Counted | None = None
) -> Ballot:
    """Count the ballot: present from the sign-in, votes from the phones or as counted."""
    ballot = Ballot.objects.select_for_update().select_related("meeting__org").get(pk=ballot.pk)
    _require(scope, ballot.meeting)
    if not ballot.is_open:
        raise ApplicationError("表决已经计票。")
    if timezone.now() < ballot.meeting.starts_at:
        raise ApplicationError("会议尚未开始，不能计票。")
    voting = BallotVoter.objects.filter(ballot=ballot, eligible=True, excused=False)
    present_ids = set(
        Attendance.objects.filter(meeting=ballot.meeting, present=True).values_list(
            "member_id", flat=True
        )
    )
    present = voting.filter(member_id__in=present_ids).count()
    absent = ballot.expected - present
    if ballot.mode == Ballot.Mode.COUNTED:
        if counted is None:
            raise ApplicationError("请填写现场计票结果。", field="yes")
        _check_counted(counted, present=present, absent=absent)
        ballot.yes, ballot.no, ballot.abstain = counted.yes, counted.no, counted.abstain
        ballot.written = counted.written
    elif ballot.votes > ballot.expected:  # cannot happen; refuse rather than store it
        raise ApplicationError("票数多于应到人数，计票有误。")
    outcome = evaluate(
        expected=ballot.expected,
        present=present,
        yes=ballot.yes,
        quorum_percent=ballot.quorum_percent,
        majority_percent=ballot.majority_percent,
    )
    ballot.present = present
    ballot.quorum_met = outcome.quorum_met
    ballot.passed = outcome.passed
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_by = actor
    ballot.closed_at = timezone.now()
    ballot.save()
    if ballot.secret:
        transaction.on_commit(_vacuum)
    return ballot


def _check_counted(counted: Counted, *, present: int, absent: int) -> None:
    for name in ("yes", "no", "abstain", "written"):
        value = getattr(counted, name)
        if not isinstance(value, int) or value < 0:
            raise ApplicationError("票数应为不小于 0 的整数。", field=name)
    if counted.written > absent:
        raise ApplicationError(
            f"书面意见（{counted.written} 份）不能多于未到会的应到党员（{absent} 人）。",
            field="written",
        )
    if counted.yes + counted.no + counted.abstain > present + counted.written:
        raise ApplicationError(
            "赞成、反对、弃权票合计不能多于实到人数与书面意见之和"
            f"（{present + counted.written}）。",
            field="yes",
        )


def _vacuum() -> None:
    """After a secret ballot is counted: drop the earlier row versions of the counters and
    the roll, so that the running counters do not stay readable on disk beside the roll.
    Runs after commit, outside any transaction (VACUUM cannot run in one), in the county's
    schema (the connection's search path); small tables, milliseconds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM orglife_ballot, orglife_ballotvoter")
    except Exception:  # the count is stored; the nightly autovacuum does it later
        log.exception("could not vacuum the ballot tables")


def outcome_of(ballot: Ballot) -> Outcome:
    return evaluate(
        expected=ballot.expected,
        present=ballot.present,
        yes=ballot.yes,
        quorum_percent=ballot.quorum_percent,
        majority_percent=ballot.majority_percent,
    )


def open_ballots_for(member_id: int | None) -> list[BallotVoter]:
    """The member's roll rows on open phone ballots where they may still vote."""
    if member_id is None:
        return []
    return list(
        BallotVoter.objects.filter(
            member_id=member_id,
            eligible=True,
            excused=False,
            voted=False,
            ballot__status=Ballot.Status.OPEN,
            ballot__mode=Ballot.Mode.PHONE,
        ).select_related("ballot__meeting")
    )
