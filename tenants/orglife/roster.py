"""Who is expected at a meeting, and who may vote at it — computed from the roster, never
typed (domain-rules §1 steps 15 and 23, §4).

- Expected (应到): the branch's members on the roll for a branch meeting, 党课, 主题党日,
  组织生活会 and 谈心谈话; the committee members (posts marked ``committee_member``) for a
  支委会; for a 党小组会 the members of the group's branch (members are kept on the
  branch's roll; the roll does not say which group each belongs to).
- Right to vote at the meeting's date (表决权): a full member on that date (转正 on or
  before it) whose party standing is normal. Probationary members speak but do not vote;
  members whose standing is suspended do not vote. Members taken out of the expected
  count with approval (``Attendance.excused``) are kept on the roll with their reason.
  Holders of a 活动证 from elsewhere are not on this county's roll, so never vote here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import codes_flagged
from tenants.access.models import Post
from tenants.members.models import Member
from tenants.orglife.types import ROSTER_COMMITTEE
from tenants.orgs.models import Organization


def roll_of(org: Organization) -> QuerySet[Member]:
    """Members on the roll of ``org`` (a 党小组: of its branch)."""
    if org.type_code == OrganizationType.GROUP:
        parent = Organization.objects.get_parent(org)
        org = parent if parent is not None else org
    return Member.objects.filter(
        org=org, party_status_code__in=codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    )


def committee_of(org: Organization) -> QuerySet[Member]:
    committee_posts = list(codes_flagged(CodeTable.POST, "committee_member"))
    ids = Post.objects.filter(org=org, ended_at__isnull=True, post_code__in=committee_posts).values(
        "member_id"
    )
    return Member.objects.filter(pk__in=ids)


def expected_members(org: Organization, roster: str, on: date) -> list[Member]:
    """The expected participants of a meeting of ``org`` on ``on`` (``roster`` from the
    meeting type: members, committee or group), by name."""
    members = committee_of(org) if roster == ROSTER_COMMITTEE else roll_of(org)
    return list(members.filter(joined_at__lte=on).order_by("name_pinyin", "pk"))


@dataclass(frozen=True)
class VotingRight:
    member_id: int
    eligible: bool
    note: str  # why not, in words the page shows


def voting_right(member: Member, on: date) -> VotingRight:
    if member.party_status_code != "normal":
        return VotingRight(member.pk, False, "党籍状态不正常，无表决权")
    if member.category_code != "full":
        return VotingRight(member.pk, False, "预备党员，有发言权、无表决权")
    if member.full_member_at is not None and member.full_member_at > on:
        return VotingRight(member.pk, False, "会议当日尚未转正，无表决权")
    return VotingRight(member.pk, True, "")
