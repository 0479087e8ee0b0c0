"""Organizational life (组织生活, domain-rules §4): meetings with who is expected and who
came (``meetings``), the one voting engine's ballots (``ballots``) and the yearly
democratic appraisal of members (``appraisal``)."""

from tenants.orglife.models.ballots import Ballot, BallotKind, BallotVoter, Choice
from tenants.orglife.models.meetings import (
    Attendance,
    LeaveState,
    Meeting,
    MeetingComment,
    MeetingFile,
    MeetingStatus,
)

__all__ = [
    "Attendance",
    "Ballot",
    "BallotKind",
    "BallotVoter",
    "Choice",
    "LeaveState",
    "Meeting",
    "MeetingComment",
    "MeetingFile",
    "MeetingStatus",
]
