"""Meetings (三会一课, 主题党日, 组织生活会, 谈心谈话): planned, notified, attended, recorded
and reviewed once — what happened is written down one time, by the people who ran it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.access.querysets import ScopedQuerySet, ScopeFields
from zhdj.audit import audited
from zhdj.pii.storage import encrypted_storage

MANAGE = "orglife.manage"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "已通知"
    HELD = "held", "已召开"
    LOCKED = "locked", "已审核归档"
    CANCELLED = "cancelled", "已取消"


@audited
class Meeting(models.Model):
    """One meeting of one organization (会议): its type (code table ``meeting_type``),
    agenda, place, the QR sign-in secret, and after it the minutes and the review."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="meetings", verbose_name="组织"
    )
    type_code = models.CharField("会议类型", max_length=16)
    title = models.CharField("主题", max_length=100)
    starts_at = models.DateTimeField("召开时间", db_index=True)
    place = models.CharField("地点", max_length=100, blank=True)
    online = models.BooleanField("线上参加", default=False)
    agenda = models.TextField("议程", blank=True)
    lecturer = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="授课人",
    )
    status = models.CharField(
        "状态", max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    checkin_token = models.CharField(max_length=43, unique=True, editable=False)
    minutes = models.TextField("会议记录", blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活会议"
        verbose_name_plural = "组织生活会议"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["org", "type_code", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.starts_at:%Y-%m-%d}）"

    @property
    def is_open(self) -> bool:
        """Attendance, leave, opinions and ballots may still change."""
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.HELD)


class LeaveState(models.TextChoices):
    NONE = "", "—"
    ASKED = "asked", "请假待批"
    APPROVED = "approved", "准假"
    REFUSED = "refused", "不准假"


@audited
class Attendance(models.Model):
    """One expected participant (应到人员) of a meeting, computed from the roster when the
    meeting is planned: present or not, leave, and a written opinion if absent."""

    class Method(models.TextChoices):
        NONE = "", "—"
        QR = "qr", "扫码签到"
        MARKED = "marked", "书记登记"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances"
    )
    present = models.BooleanField("出席", default=False)
    signed_at = models.DateTimeField("签到时间", null=True, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    leave = models.CharField("请假", max_length=8, choices=LeaveState.choices, blank=True)
    leave_reason = models.CharField("请假事由", max_length=200, blank=True)
    # Taken out of the expected count of the meeting's votes (按规定经批准不计入应到人数).
    excused = models.BooleanField("不计入应到人数", default=False)
    opinion = models.TextField("书面意见", blank=True)
    opinion_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(org="meeting__org", own="member", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting_id", "member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_one_attendance")
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id}"


def meeting_file_path(instance: MeetingFile, filename: str) -> str:
    # media/<schema>/orglife/<meeting>/…, encrypted with the county's key; the user's file
    # name never reaches the disk.
    return f"orglife/{instance.meeting_id}/{instance.sha256[:16]}{instance.extension}"


@audited
class MeetingFile(models.Model):
    """Minutes scans, photos and materials of a meeting (会议材料)."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "学习材料"
        PHOTO = "photo", "会议照片"
        MINUTES = "minutes", "会议记录原件"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    file = models.FileField(
        "文件", upload_to=meeting_file_path, max_length=200, storage=encrypted_storage
    )
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(org="meeting__org", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"
        ordering = ["meeting_id", "kind", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
            self.content_type, ""
        )


@audited
class MeetingComment(models.Model):
    """A comment in a meeting's discussion (讨论), on the notice or on one agenda item;
    read by the meeting's expected participants and those who run it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    item = models.PositiveSmallIntegerField("议程", null=True, blank=True)  # 1-based
    body = models.TextField("内容")
    created_at = models.DateTimeField(auto_now_add=True)

    # Who reads a discussion is the service's rule (may_discuss: the expected and those
    # who run the meeting); the scope declares the organizers' reach and one's own rows.
    scope_fields = ScopeFields(org="meeting__org", own="author", permission=MANAGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会议讨论"
        verbose_name_plural = "会议讨论"
        ordering = ["meeting_id", "created_at", "id"]
        indexes = [models.Index(fields=["meeting", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=True) | Q(item__gte=1), name="orglife_comment_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.author_id}"
