"""Organizational life (组织生活, domain-rules §4): meetings with who is expected and who
came (``meetings``) and their guests flowing in from other counties (``guests``), the one
voting engine's ballots (``ballots``) and the yearly democratic appraisal of members
(``appraisal``)."""

from tenants.orglife.models.appraisal import (
    Appraisal,
    AppraisalEntry,
    AppraisalRater,
    AppraisalTally,
    Grade,
    Handling,
)
from tenants.orglife.models.ballots import Ballot, BallotKind, BallotVoter, Choice
from tenants.orglife.models.guests import MeetingGuest
from tenants.orglife.models.meetings import (
    Attendance,
    LeaveState,
    Meeting,
    MeetingComment,
    MeetingFile,
    MeetingStatus,
)

__all__ = [
    "Appraisal",
    "AppraisalEntry",
    "AppraisalRater",
    "AppraisalTally",
    "Attendance",
    "Ballot",
    "BallotKind",
    "BallotVoter",
    "Choice",
    "Grade",
    "Handling",
    "LeaveState",
    "Meeting",
    "MeetingComment",
    "MeetingFile",
    "MeetingGuest",
    "MeetingStatus",
]
