"""Demo data (组织生活演示数据): this year's meetings of every branch — most branches
keeping to the rules, one short of them, one silent — and, in the demo member's branch, a
主题党日 coming up with its materials and a 支部党员大会 going on now with a vote open.
``seed_county()`` runs inside a county schema and does nothing if meetings exist."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.access.models import Post
from tenants.access.scope import Scope
from tenants.orglife.appraisal import appraisal_start, self_assess
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import Attendance, Meeting
from tenants.orglife.services import comment_add, leave_request, meeting_file_add, meeting_plan
from tenants.orglife.types import ASSEMBLY, COMMITTEE, GROUP, meeting_types
from tenants.orglife.voting import ballot_open
from tenants.orgs.models import Organization
from zhdj.uploads import Upload

MINUTES = "会议由支部书记主持。传达学习上级文件精神，党员逐一发言，研究部署下一阶段工作。"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _days(period: str, today: date) -> list[date]:
    """One day in each month, quarter or year of this year that has ended by ``today``."""
    months = {"month": range(1, 13), "quarter": (2, 5, 8, 11), "year": (11,)}[period]
    return [d for d in (date(today.year, m, 10) for m in months) if d < today - timedelta(days=2)]


@transaction.atomic
def seed_county() -> None:
    if Meeting.objects.exists():
        return
    holding = OrganizationType.objects.filter(holds_members=True).values("code")
    branches = list(
        Organization.objects.filter(is_active=True, type_code__in=holding, members__isnull=False)
        .distinct()
        .order_by("path")
    )
    if not branches:
        return
    today = timezone.localdate()
    member = User.objects.filter(username="member").select_related("member").first()
    home = getattr(getattr(member, "member", None), "org", None)
    for n, branch in enumerate(branches):
        if n % 5 == 4 and branch != home:
            continue  # a silent branch: nothing this year
        _year_of(branch, today, short=n % 5 == 3)
    if home is not None:
        _now_in(home, member)


def _year_of(branch: Organization, today: date, *, short: bool) -> None:
    secretary = (
        Post.objects.filter(org=branch, post_code="secretary", ended_at__isnull=True)
        .values_list("member_id", flat=True)
        .first()
    )
    for code, mtype in meeting_types().items():
        if code in (COMMITTEE, GROUP):
            continue  # demo branches have a secretary only, and no 党小组
        days = _days(mtype.period, today)
        if short:
            days = days[::3]  # a branch falling behind
        for i, day in enumerate(days):
            meeting = meeting_on_record(
                branch,
                day,
                type_code=code,
                at=time(15, 0),
                title=f"{day.month}月{mtype.name}",
                minutes=MINUTES,
                absent=i % 3,
                locked=i % 4 != 3,
            )
            if mtype.lecturer and secretary:
                Meeting.objects.filter(pk=meeting.pk).update(lecturer_id=secretary)


def _now_in(branch: Organization, member: User) -> None:
    """The demo member's branch: a 主题党日 in three days with its materials, and a
    支部党员大会 under way now with a resolution open for votes on the phone."""
    scope = Scope.system()
    now = timezone.now().replace(second=0, microsecond=0)
    theme = meeting_plan(
        scope=scope,
        org=branch,
        type_code="theme_day",
        starts_at=now + timedelta(days=3),
        title="主题党日：学习党的二十届三中全会精神",
        place="村党群服务中心二楼会议室",
        agenda="集中学习会议公报\n党员交流学习体会\n志愿服务：清扫村道",
        actor=None,
    )
    meeting_file_add(
        scope=scope,
        meeting=theme,
        kind="material",
        upload=Upload("学习材料", SimpleUploadedFile("学习材料.pdf", PDF)),
        actor=None,
    )
    assembly = meeting_plan(
        scope=scope,
        org=branch,
        type_code=ASSEMBLY,
        starts_at=now - timedelta(minutes=30),
        title="支部党员大会：研究本村集体经济项目",
        place="村党群服务中心",
        agenda="审议本村光伏产业项目方案\n表决",
        actor=None,
    )
    ballot_open(
        scope=scope,
        meeting=assembly,
        kind="resolution",
        subject="同意本村光伏产业项目方案",
        secret=True,
        actor=None,
    )
    others = list(
        Attendance.objects.filter(meeting=theme)
        .exclude(member__user=member)
        .values_list("member_id", flat=True)[:2]
    )
    appraisal = appraisal_start(scope=scope, org=branch, year=timezone.localdate().year, actor=None)
    others_all = list(
        appraisal.entries.exclude(member__user=member).values_list("member_id", flat=True)
    )
    if others_all:
        self_assess(
            appraisal=appraisal,
            member_id=others_all[0],
            text="按时参加组织生活，按时交纳党费，完成支部交给的任务。",
        )
    if others:
        leave_request(meeting=theme, member_id=others[0], reason="在外地务工，已向支部书记说明")
        comment_add(
            scope=Scope(None, False, others[-1]),
            meeting=theme,
            item=2,
            body="建议结合村里光伏项目谈学习体会。",
        )
