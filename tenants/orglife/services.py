"""Writes of organizational life: plan (with its notice), sign-in, leave, written
opinions, discussion, the record, materials and the review. Each checks who may do it;
pushes and messages go out after commit.

Nothing here asks members to report more than once: a member signs in by scanning the QR
code at the meeting (or the secretary marks them), and that is the only trace asked of
them (no photos, no screenshots, no time online).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from shared.accounts.models import User
from shared.standards.models import OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.notifications.services import notification_send
from tenants.orglife.models import (
    Attendance,
    LeaveState,
    Meeting,
    MeetingComment,
    MeetingFile,
    MeetingStatus,
)
from tenants.orglife.roster import expected_members
from tenants.orglife.types import GROUP, meeting_types
from tenants.orgs.models import Organization
from tenants.rules.selectors import rule_value
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.messaging import message_send
from zhdj.uploads import Upload, check_upload

log = logging.getLogger(__name__)

MAX_TEXT = 20000


def _require(scope: Scope, org: Organization) -> None:
    scope.require(Perm.ORGLIFE_MANAGE, org, message="您没有管理该组织组织生活的权限。")


def _open(meeting: Meeting) -> None:
    if not meeting.is_open:
        raise ApplicationError(f"会议{meeting.get_status_display()}，不能再修改。")


def meeting_org_allowed(org: Organization, type_code: str) -> bool:
    """A 党小组会 is held by a 党小组; every other meeting by a branch holding members."""
    if type_code == GROUP:
        return org.type_code == OrganizationType.GROUP
    return OrganizationType.objects.filter(code=org.type_code, holds_members=True).exists()


def _text(value: str, label: str, field: str, *, required: bool = False, limit: int = 0) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(f"请填写{label}。", field=field)
    if len(value) > (limit or MAX_TEXT):
        raise ApplicationError(f"{label}不能超过 {limit or MAX_TEXT} 个字。", field=field)
    return value


def _notify(meeting: Meeting, members: list[Member], *, title: str, body: str) -> None:
    """The in-app bell of each member with a login, and the message adapter after commit."""
    users = list(User.objects.filter(member__in=members, is_active=True))
    if not users:
        return
    url = reverse("orglife:mine-detail", args=[meeting.pk])
    notification_send(recipients=users, title=title[:100], body=body, url=url, sender=None)

    def deliver() -> None:
        for user in users:
            try:
                message_send(
                    recipient_user=user,
                    template="orglife.notice",
                    params={
                        "title": meeting.title,
                        "at": f"{_local(meeting.starts_at):%m-%d %H:%M}",
                    },
                    url=url,
                )
            except Exception:  # the bell has it; a channel failure loses nothing
                log.exception("orglife: message adapter failed")

    transaction.on_commit(deliver)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _notice_body(meeting: Meeting) -> str:
    where = "线上参加" if meeting.online else (meeting.place or "地点另行通知")
    lines = [f"时间：{_local(meeting.starts_at):%Y年%m月%d日 %H:%M}", f"地点：{where}"]
    if meeting.agenda:
        lines.append(f"议程：\n{meeting.agenda}")
    return "\n".join(lines)


@transaction.atomic
def meeting_plan(
    *,
    scope: Scope,
    org: Organization,
    type_code: str,
    starts_at: datetime,
    actor: User | None,
    title: str = "",
    place: str = "",
    online: bool = False,
    agenda: str = "",
    lecturer: Member | None = None,
) -> Meeting:
    """Plan a meeting and send its notice to everyone expected (computed from the roster).

    A meeting in the past is entered after the fact (补录), only within the county's
    backfill window (rule ``organization.meeting_backfill_days``)."""
    _require(scope, org)
    kind = meeting_types().get(type_code)
    if kind is None:
        raise ApplicationError("请选择会议类型。", field="type_code")
    if not meeting_org_allowed(org, type_code):
        raise ApplicationError(
            "党小组会由党小组召开，其他会议由党支部召开：请选择相应的组织。", field="org"
        )
    if starts_at is None:
        raise ApplicationError("请填写召开时间。", field="starts_at")
    now = timezone.now()
    window = int(rule_value("organization.meeting_backfill_days"))
    if starts_at < now - timedelta(days=window):
        raise ApplicationError(
            f"只能补录 {window} 天以内召开的会议（本区县的补录期限）。", field="starts_at"
        )
    if starts_at > now + timedelta(days=366):
        raise ApplicationError("召开时间不能晚于一年以后。", field="starts_at")
    if kind.lecturer and lecturer is None:
        raise ApplicationError("请选择党课的授课人。", field="lecturer")
    title = _text(title, "主题", "title", limit=100) or kind.name
    meeting = Meeting.objects.create(
        org=org,
        type_code=type_code,
        title=title,
        starts_at=starts_at,
        place=_text(place, "地点", "place", limit=100),
        online=online,
        agenda=_text(agenda, "议程", "agenda", limit=4000),
        lecturer=lecturer if kind.lecturer else None,
        checkin_token=secrets.token_urlsafe(32),
        created_by=actor,
    )
    members = expected_members(org, kind.roster, _local(starts_at).date())
    if not members:
        raise ApplicationError(f"{org.name}没有应参加{kind.name}的党员。", field="org")
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in members)
    if starts_at >= now:
        _notify(meeting, members, title=f"会议通知：{meeting.title}", body=_notice_body(meeting))
    return meeting


@transaction.atomic
def meeting_cancel(*, scope: Scope, meeting: Meeting, reason: str, actor: User | None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require(scope, meeting.org)
    if meeting.status != MeetingStatus.PLANNED:
        raise ApplicationError("只能取消尚未召开的会议。")
    if meeting.ballots.exists():
        raise ApplicationError("会议已发起表决，不能取消。")
    meeting.cancel_reason = _text(reason, "取消原因", "reason", required=True, limit=200)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "cancel_reason"])
    members = list(Member.objects.filter(attendances__meeting=meeting))
    _notify(meeting, members, title=f"会议取消：{meeting.title}", body=meeting.cancel_reason)
    return meeting


def _attendance(meeting: Meeting, member_id: int | None) -> Attendance:
    row = (
        Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
        if member_id is not None
        else None
    )
    if row is None:
        raise AccessDenied("您不在本次会议的应到人员名单中。")
    return row


def checkin_opens_before() -> timedelta:
    """How long before a meeting QR sign-in opens (rule ``orglife.checkin_opens_hours``)."""
    return timedelta(hours=int(rule_value("orglife.checkin_opens_hours")))


def checkin_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """QR sign-in is open from the rule's hours before the meeting to the end of its day."""
    opens = meeting.starts_at - checkin_opens_before()
    day_end = _local(meeting.starts_at).replace(hour=23, minute=59, second=59)
    return opens, day_end


def meeting_by_token(token: str) -> Meeting:
    meeting = (
        Meeting.objects.filter(checkin_token=token).select_related("org").first() if token else None
    )
    if meeting is None:
        raise ApplicationError("签到二维码无效，请重新扫描会场的二维码。")
    return meeting


def attendance_check_in(
    *,
    member_id: int | None,
    token: str = "",
    meeting: Meeting | None = None,
    now: datetime | None = None,
) -> Attendance:
    """A member signs in by the QR code shown at the meeting (扫码签到). Signing in twice
    is harmless: the first time is kept. ``meeting``: the one the page already found by
    the code's ``token``."""
    meeting = meeting or meeting_by_token(token)
    now = now or timezone.now()
    if not meeting.is_open:
        raise ApplicationError(f"会议{meeting.get_status_display()}，不能签到。")
    opens, closes = checkin_window(meeting)
    if now < opens:
        raise ApplicationError(f"签到将于 {_local(opens):%m月%d日 %H:%M} 开始。")
    if now > closes:
        raise ApplicationError("会议当天已过，不能再扫码签到，请联系支部书记登记。")
    row = _attendance(meeting, member_id)
    if Attendance.objects.filter(pk=row.pk, present=False).update(
        present=True, signed_at=now, method=Attendance.Method.QR
    ):
        row.present, row.signed_at, row.method = True, now, Attendance.Method.QR
    return row


@transaction.atomic
def attendance_mark(
    *, scope: Scope, meeting: Meeting, present_ids: set[int], actor: User | None
) -> int:
    """The secretary marks who came (书记登记); returns how many are present. A QR sign-in
    keeps its time; a member marked absent loses a sign-in only if the secretary says so."""
    _require(scope, meeting.org)
    _open(meeting)
    if meeting.starts_at > timezone.now() + checkin_opens_before():
        raise ApplicationError("会议尚未开始，不能登记出席。")
    rows = Attendance.objects.filter(meeting=meeting)
    now = timezone.now()
    rows.filter(member_id__in=present_ids, present=False).update(
        present=True, signed_at=now, method=Attendance.Method.MARKED
    )
    rows.exclude(member_id__in=present_ids).filter(present=True).update(
        present=False, signed_at=None, method=""
    )
    return rows.filter(present=True).count()


@transaction.atomic
def leave_request(*, meeting: Meeting, member_id: int | None, reason: str) -> Attendance:
    _open(meeting)
    row = _attendance(meeting, member_id)
    if row.present:
        raise ApplicationError("您已签到，无需请假。")
    row.leave_reason = _text(reason, "请假事由", "reason", required=True, limit=200)
    row.leave = LeaveState.ASKED
    row.save(update_fields=["leave", "leave_reason"])
    return row


@transaction.atomic
def leave_decide(
    *,
    scope: Scope,
    attendance: Attendance,
    approve: bool,
    excused: bool = False,
    actor: User | None,
) -> Attendance:
    """Approve or refuse a leave; an approved leave may also take the member out of the
    expected count of the meeting's votes (按规定经批准), recorded with the leave's reason."""
    row = Attendance.objects.select_related("meeting__org").get(pk=attendance.pk)
    _require(scope, row.meeting.org)
    _open(row.meeting)
    if row.leave not in (LeaveState.ASKED, LeaveState.APPROVED, LeaveState.REFUSED):
        raise ApplicationError("该党员没有请假。")
    if row.meeting.ballots.filter(status="open").exists() and excused != row.excused:
        raise ApplicationError("表决进行中，不能再调整应到人数。")
    row.leave = LeaveState.APPROVED if approve else LeaveState.REFUSED
    row.excused = bool(approve and excused)
    row.save(update_fields=["leave", "excused"])
    return row


@transaction.atomic
def opinion_leave(*, meeting: Meeting, member_id: int | None, text: str) -> Attendance:
    """A member who cannot attend reads the materials and leaves a written opinion."""
    _open(meeting)
    row = _attendance(meeting, member_id)
    row.opinion = _text(text, "书面意见", "opinion", required=True, limit=2000)
    row.opinion_at = timezone.now()
    row.save(update_fields=["opinion", "opinion_at"])
    return row


def may_discuss(scope: Scope, meeting: Meeting) -> bool:
    """The meeting's expected participants and those who run it read and write its
    discussion; nobody else."""
    if scope.can(Perm.ORGLIFE_MANAGE, meeting.org):
        return True
    return (
        scope.member_id is not None
        and Attendance.objects.filter(meeting=meeting, member_id=scope.member_id).exists()
    )


def comments_of(scope: Scope, meeting: Meeting) -> QuerySet[MeetingComment]:
    if not may_discuss(scope, meeting):
        return MeetingComment.objects.none()
    return meeting.comments.select_related("author")


@transaction.atomic
def comment_add(
    *, scope: Scope, meeting: Meeting, body: str, item: int | None = None
) -> MeetingComment:
    if not may_discuss(scope, meeting) or scope.member_id is None:
        raise AccessDenied("只有本次会议的应到人员可以参加讨论。")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("会议已取消。")
    items = [line for line in meeting.agenda.splitlines() if line.strip()]
    if item is not None and not 1 <= item <= len(items):
        raise ApplicationError("议程不存在。", field="item")
    return MeetingComment.objects.create(
        meeting=meeting,
        author_id=scope.member_id,
        item=item,
        body=_text(body, "讨论内容", "body", required=True, limit=2000),
    )


@transaction.atomic
def meeting_record(
    *,
    scope: Scope,
    meeting: Meeting,
    minutes: str,
    actor: User | None,
    lecturer: Member | None = None,
) -> Meeting:
    """Write the minutes (会议记录) of a meeting that took place; within the backfill window."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(scope, meeting.org)
    _open(meeting)
    now = timezone.now()
    if meeting.starts_at > now:
        raise ApplicationError("会议尚未召开，不能填写会议记录。")
    window = int(rule_value("organization.meeting_backfill_days"))
    if meeting.recorded_at is None and meeting.starts_at < now - timedelta(days=window):
        raise ApplicationError(f"会议已召开超过 {window} 天，超出本区县的补录期限。")
    meeting.minutes = _text(minutes, "会议记录", "minutes", required=True)
    kind = meeting_types().get(meeting.type_code)
    if kind is not None and kind.lecturer:
        meeting.lecturer = lecturer or meeting.lecturer
        if meeting.lecturer is None:
            raise ApplicationError("请选择党课的授课人。", field="lecturer")
    meeting.status = MeetingStatus.HELD
    meeting.recorded_at = now
    meeting.recorded_by = actor
    meeting.save(update_fields=["minutes", "lecturer", "status", "recorded_at", "recorded_by"])
    return meeting


@transaction.atomic
def meeting_file_add(
    *, scope: Scope, meeting: Meeting, kind: str, upload: Upload, actor: User | None
) -> MeetingFile:
    _require(scope, meeting.org)
    _open(meeting)
    if kind not in MeetingFile.Kind.values:
        raise ApplicationError("请选择材料类别。", field="kind")
    max_mb = int(rule_value("orglife.material_max_mb"))
    checked = check_upload(upload, max_mb=max_mb, field="file")
    row = MeetingFile(
        meeting=meeting,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    row.file.save(checked.name, ContentFile(checked.content), save=False)
    row.save()
    return row


@transaction.atomic
def meeting_review(*, scope: Scope, meeting: Meeting, actor: User | None) -> Meeting:
    """The committee checks the record and locks it (审核归档): nothing changes after."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(scope, meeting.org)
    if meeting.status != MeetingStatus.HELD:
        raise ApplicationError("只能审核已召开并填写了会议记录的会议。")
    if meeting.ballots.filter(status="open").exists():
        raise ApplicationError("还有未计票的表决，请先计票。")
    meeting.status = MeetingStatus.LOCKED
    meeting.reviewed_at = timezone.now()
    meeting.reviewed_by = actor
    meeting.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    return meeting
