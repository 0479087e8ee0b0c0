"""民主评议党员, yearly (domain-rules §4): self-assessment, anonymous peer review, the
committee's proposed grades (优秀 at most 1/``orglife.appraisal_excellent_share`` of the
members appraised), the 支部党员大会's vote on them through the one voting engine, and the
branch's decision with the handling of any 不合格 (限期改正, 劝其退党, 除名 by the rules'
procedure). The decided grade is kept per member and year (``results_of``) for the
points-and-appraisal work that follows."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.notifications.services import notification_send
from tenants.orglife.models import (
    Appraisal,
    AppraisalEntry,
    AppraisalRater,
    AppraisalTally,
    BallotKind,
    Grade,
    Handling,
    Meeting,
)
from tenants.orglife.roster import roll_of
from tenants.orglife.types import ASSEMBLY
from tenants.orglife.voting import ballot_open, outcome_of
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from zhdj.errors import AccessDenied, ApplicationError


def _require(scope: Scope, org: Organization) -> None:
    scope.require(Perm.ORGLIFE_MANAGE, org, message="您没有组织该支部民主评议的权限。")


def excellent_limit(n: int) -> int:
    """At most this many of ``n`` members may be graded 优秀 (1/share, rounded down)."""
    return n // int(rule_value("orglife.appraisal_excellent_share"))


@transaction.atomic
def appraisal_start(*, scope: Scope, org: Organization, year: int, actor: User | None) -> Appraisal:
    """Open the year's appraisal of a branch: every member on its roll is appraised."""
    _require(scope, org)
    if not OrganizationType.objects.filter(code=org.type_code, holds_members=True).exists():
        raise ApplicationError("民主评议由党支部组织，请选择党支部。", field="org")
    this_year = timezone.localdate().year
    if year not in (this_year - 1, this_year):
        raise ApplicationError(
            f"只能开展 {this_year - 1} 或 {this_year} 年度的民主评议。", field="year"
        )
    if Appraisal.objects.filter(org=org, year=year).exists():
        raise ApplicationError(f"{org.name}已开展 {year} 年度民主评议。", field="year")
    members = list(roll_of(org).filter(joined_at__lte=date(year, 12, 31)).order_by("name_pinyin"))
    if len(members) < 2:
        raise ApplicationError("参评党员少于 2 人，无法互评。", field="org")
    appraisal = Appraisal.objects.create(org=org, year=year, started_by=actor)
    entries = AppraisalEntry.objects.bulk_create(
        AppraisalEntry(appraisal=appraisal, member=m) for m in members
    )
    AppraisalTally.objects.bulk_create(AppraisalTally(entry=e) for e in entries)
    users = list(User.objects.filter(member__in=members, is_active=True))
    if users:
        notification_send(
            recipients=users,
            title=f"{year}年度民主评议党员：请填写个人自评并参加互评",
            url=reverse("orglife:appraisal-mine", args=[appraisal.pk]),
            sender=None,
        )
    return appraisal


def _entry(appraisal: Appraisal, member_id: int | None) -> AppraisalEntry:
    entry = (
        AppraisalEntry.objects.filter(appraisal=appraisal, member_id=member_id).first()
        if member_id is not None
        else None
    )
    if entry is None:
        raise AccessDenied("您不在本次民主评议的参评名单中。")
    return entry


def _open(appraisal: Appraisal) -> None:
    if appraisal.status != Appraisal.Status.OPEN:
        raise ApplicationError("自评和互评已经结束。")


@transaction.atomic
def self_assess(*, appraisal: Appraisal, member_id: int | None, text: str) -> AppraisalEntry:
    _open(appraisal)
    entry = _entry(appraisal, member_id)
    text = (text or "").strip()
    if not text:
        raise ApplicationError("请填写个人自评。", field="text")
    if len(text) > 4000:
        raise ApplicationError("个人自评不能超过 4000 字。", field="text")
    entry.self_assessment = text
    entry.save(update_fields=["self_assessment"])
    return entry


@transaction.atomic
def peer_review(*, appraisal: Appraisal, member_id: int | None, grades: dict[int, str]) -> None:
    """One member's grades of every other member (互评), counted anonymously; a second
    review is refused."""
    appraisal = Appraisal.objects.get(pk=appraisal.pk)
    _open(appraisal)
    mine = _entry(appraisal, member_id)
    others = dict(
        AppraisalEntry.objects.filter(appraisal=appraisal)
        .exclude(pk=mine.pk)
        .values_list("member_id", "pk")
    )
    if set(grades) != set(others) or any(g not in Grade.values for g in grades.values()):
        raise ApplicationError("请为每位党员选择等次。", field="grades")
    try:
        with transaction.atomic():
            AppraisalRater.objects.create(appraisal=appraisal, member_id=member_id)
    except IntegrityError:
        raise ApplicationError("您已经参加过互评，不能重复评议。") from None
    for member, grade in grades.items():
        AppraisalTally.objects.filter(entry_id=others[member]).update(**{grade: F(grade) + 1})


@transaction.atomic
def grades_propose(*, scope: Scope, appraisal: Appraisal, proposed: dict[int, str]) -> Appraisal:
    """The committee's proposed grade for every member (支委会提出评定意见)."""
    appraisal = Appraisal.objects.select_for_update().select_related("org").get(pk=appraisal.pk)
    _require(scope, appraisal.org)
    if appraisal.status == Appraisal.Status.DECIDED or appraisal.ballot_id:
        raise ApplicationError("评定意见已提交支部党员大会表决，不能再修改。")
    entries = {e.member_id: e for e in appraisal.entries.all()}
    if set(proposed) != set(entries) or any(g not in Grade.values for g in proposed.values()):
        raise ApplicationError("请为每位参评党员选择等次。", field="grades")
    limit = excellent_limit(len(entries))
    excellent = sum(1 for g in proposed.values() if g == Grade.EXCELLENT)
    share = int(rule_value("orglife.appraisal_excellent_share"))
    if excellent > limit:
        raise ApplicationError(
            f"评为优秀的党员不能超过参评党员的 1/{share}（{len(entries)} 人中最多 {limit} 名，"
            f"现为 {excellent} 名）。",
            field="grades",
        )
    for member_id, grade in proposed.items():
        entry = entries[member_id]
        entry.proposed = grade
        entry.save(update_fields=["proposed"])
    appraisal.status = Appraisal.Status.PROPOSED
    appraisal.save(update_fields=["status"])
    return appraisal


@transaction.atomic
def appraisal_vote_open(
    *, scope: Scope, appraisal: Appraisal, meeting: Meeting, actor: User | None
):  # type: ignore[no-untyped-def]
    """Put the committee's proposed grades to the 支部党员大会 (民主表决), by the engine."""
    appraisal = Appraisal.objects.select_for_update().select_related("org").get(pk=appraisal.pk)
    _require(scope, appraisal.org)
    if appraisal.status != Appraisal.Status.PROPOSED:
        raise ApplicationError("请先由支委会提出评定意见。")
    if appraisal.ballot_id and appraisal.ballot.is_open:
        raise ApplicationError("评定意见正在表决中。")
    if meeting.org_id != appraisal.org_id or meeting.type_code != ASSEMBLY:
        raise ApplicationError("请选择本支部的支部党员大会。", field="meeting")
    ballot = ballot_open(
        scope=scope,
        meeting=meeting,
        kind=BallotKind.APPRAISAL,
        subject=f"{appraisal.year}年度民主评议党员：同意支委会提出的评定意见",
        subject_key=f"appraisal:{appraisal.pk}",
        actor=actor,
    )
    appraisal.ballot = ballot
    appraisal.save(update_fields=["ballot"])
    return ballot


@transaction.atomic
def appraisal_decide(
    *,
    scope: Scope,
    appraisal: Appraisal,
    handling: dict[int, tuple[str, str]],
    actor: User | None,
) -> Appraisal:
    """The branch's decision once the 支部党员大会 passed the proposed grades; every 不合格
    names its handling (限期改正, 劝其退党, 除名)."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("org", "ballot")
        .get(pk=appraisal.pk)
    )
    _require(scope, appraisal.org)
    if appraisal.status != Appraisal.Status.PROPOSED or appraisal.ballot is None:
        raise ApplicationError("评定意见尚未提交支部党员大会表决。")
    if appraisal.ballot.is_open:
        raise ApplicationError("表决尚未计票。")
    outcome = outcome_of(appraisal.ballot)
    if not outcome.passed:
        raise ApplicationError(f"{outcome.reason}请支委会重新提出评定意见后再表决。")
    for entry in appraisal.entries.all():
        code, note = handling.get(entry.member_id, ("", ""))
        if entry.proposed == Grade.UNQUALIFIED:
            if code not in Handling.values or not code:
                raise ApplicationError(
                    "评为不合格的党员须作出组织处置：限期改正、劝其退党或除名。",
                    field=f"h_{entry.member_id}",
                )
        else:
            code, note = "", ""
        entry.grade = entry.proposed
        entry.handling = code
        entry.handling_note = (note or "").strip()[:200]
        entry.save(update_fields=["grade", "handling", "handling_note"])
    appraisal.status = Appraisal.Status.DECIDED
    appraisal.decided_at = timezone.now()
    appraisal.save(update_fields=["status", "decided_at"])
    return appraisal


def results_of(member_id: int) -> QuerySet[AppraisalEntry]:
    """A member's decided grades by year (for points and appraisal)."""
    return (
        AppraisalEntry.objects.filter(
            member_id=member_id, appraisal__status=Appraisal.Status.DECIDED
        )
        .select_related("appraisal")
        .order_by("-appraisal__year")
    )
