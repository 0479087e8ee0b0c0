"""Writes to the member database (党员信息维护). Views and the API call these only."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shared.accounts import events
from shared.accounts.models import User
from shared.rollups.dirty import rollup_mark_dirty
from shared.standards.models import CodeTable
from shared.standards.selectors import is_valid_code
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.access.services import posts_end_for_member
from tenants.members.models import (
    Member,
    MemberStatusChange,
    PersonalDataAccess,
    StatusAction,
)
from tenants.members.validation import CODE_FIELDS, FIELD_LABELS, MemberData, validate_member
from tenants.orgs.models import Organization
from zhdj.db import field_values, save_changed
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pii.fields import index_for
from zhdj.pii.masking import MASK, mask_address, mask_id_number, mask_phone
from zhdj.pinyin import name_keys
from zhdj.web.client import client_ip

REVEALABLE = ("id_number", "phone", "address")
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}

# Which statuses each action starts from and leads to (党籍变动规则).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    StatusAction.SUSPEND: (frozenset({"normal"}), "suspended"),
    StatusAction.LEAVE: (frozenset({"normal", "suspended"}), "left"),
    StatusAction.DEATH: (frozenset({"normal", "suspended"}), "deceased"),
    StatusAction.TRANSFER_OUT: (frozenset({"normal"}), "transferred_out"),
    StatusAction.LOST_CONTACT: (frozenset({"normal"}), None),  # a flag, status unchanged
    StatusAction.RESTORE: (frozenset({"normal", "suspended"}), "normal"),
}


def _raise(errors: dict[str, list[str]]) -> None:
    field, messages = next(iter(errors.items()))
    raise ApplicationError(messages[0], field=field, extra={"errors": errors})


def member_fill(member: Member, data: MemberData) -> None:
    """Copy validated ``data`` onto ``member`` with its derived columns (pinyin keys, blind
    indexes). For bulk writers (Excel import) that validated the rows themselves."""
    for field in MemberData.field_names():
        setattr(member, field, getattr(data, field))
    member.name_pinyin, member.name_initials = name_keys(data.name)
    member.id_number_index = index_for("id_number", data.id_number)
    member.phone_index = index_for("phone", data.phone)


def _check_unique_id(data: MemberData, *, exclude_pk: int | None) -> None:
    clash = Member.objects.filter(id_number_index=index_for("id_number", data.id_number))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.select_related("org").first()
    if other is not None:
        _raise({"id_number": [f"该公民身份号码已登记（{other.org.name}）。"]})


@transaction.atomic
def member_create(*, scope: Scope, data: MemberData) -> Member:
    """Register a member in an organization of the actor's scope."""
    errors = validate_member(data)
    if errors:
        _raise(errors)
    scope.require(Perm.MEMBERS_EDIT, data.org, message="无权在该组织登记党员。")
    _check_unique_id(data, exclude_pk=None)
    member = Member()
    member_fill(member, data)
    member.save()
    transaction.on_commit(rollup_mark_dirty)
    return member


@transaction.atomic
def member_update(*, scope: Scope, member: Member, data: MemberData) -> Member:
    """Edit a member's record. Status fields are not editable here (see member_change_status)."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    scope.require(Perm.MEMBERS_EDIT, member.org, message="无权修改该党员信息。")
    data = keep_masked(member, data)
    errors = validate_member(data, kept={f: getattr(member, f) for f in CODE_FIELDS})
    if errors:
        _raise(errors)
    scope.require(Perm.MEMBERS_EDIT, data.org, message="无权将党员编入该组织。")
    _check_unique_id(data, exclude_pk=member.pk)
    before = field_values(member)
    member_fill(member, data)
    # Only what changed: an unchanged save writes (and audits) nothing.
    if save_changed(member, before):
        transaction.on_commit(rollup_mark_dirty)
    return member


@transaction.atomic
def member_change_status(
    *,
    scope: Scope,
    member: Member,
    action: str,
    effective_date: date,
    reason: str,
    actor: User,
    lost_contact_code: str = "",
    password: str | None = None,
) -> MemberStatusChange:
    """An explicit status change with date and reason (停止党籍, 出党, 死亡, 已转出, 失联, 恢复),
    by a post that may change status, after the password. A member who leaves the roll of
    active members loses every post and their login on that date, in this transaction."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    scope.require(
        Perm.MEMBERS_STATUS, member.org, password=password, message="无权变更该党员的党籍状态。"
    )
    if action not in TRANSITIONS:
        raise ApplicationError("未知的党籍变动类型。", field="action")
    allowed_from, to_status = TRANSITIONS[action]
    label = StatusAction(action).label
    if member.party_status_code not in allowed_from:
        raise ApplicationError(f"当前党籍状态下不能办理“{label}”。", field="action")
    if not (reason or "").strip():
        raise ApplicationError("请填写原因。", field="reason")
    if effective_date > timezone.localdate():
        raise ApplicationError("变动日期不能晚于今天。", field="effective_date")
    if effective_date < member.joined_at:
        raise ApplicationError("变动日期不能早于加入党组织日期。", field="effective_date")
    from_status = member.party_status_code
    before = field_values(member)
    if action == StatusAction.LOST_CONTACT:
        if member.lost_contact:
            raise ApplicationError("该党员已标记为失联。", field="action")
        if not is_valid_code(CodeTable.LOST_CONTACT, lost_contact_code):
            raise ApplicationError("请选择失联情形。", field="lost_contact_code")
        member.lost_contact, member.lost_contact_at = True, effective_date
        member.lost_contact_code = lost_contact_code
    elif action == StatusAction.RESTORE:
        if from_status == "normal" and not member.lost_contact:
            raise ApplicationError("该党员状态正常，无需恢复。", field="action")
        member.party_status_code = "normal"
        member.lost_contact, member.lost_contact_at, member.lost_contact_code = False, None, ""
    else:
        member.party_status_code = to_status
    # The status columns only: a full save would re-encrypt the personal data too.
    save_changed(member, before)
    # Only a member in good standing holds a post (post_assign): leaving it ends them all.
    if from_status == "normal" and member.party_status_code != "normal":
        posts_end_for_member(member=member, ended_at=effective_date, reason=label, logout=True)
    transaction.on_commit(rollup_mark_dirty)
    return MemberStatusChange.objects.create(
        member=member,
        action=action,
        effective_date=effective_date,
        reason=reason.strip(),
        from_status=from_status,
        to_status=member.party_status_code,
        lost_contact_code=lost_contact_code,
        actor=actor,
    )


def member_may_reveal(scope: Scope, member: Member) -> bool:
    """Whether the user may ask for ``member``'s full values (with the password): a post
    carrying members.reveal over the member's organization, or the member themselves (the
    right to access one's own personal information, PIPL art. 45)."""
    return scope.may_reveal(member) or (
        scope.member_id is not None and scope.member_id == member.pk
    )


def _password_ok(user_id: int | None, password: str | None) -> bool:
    hashed = User.objects.filter(pk=user_id).values_list("password", flat=True).first()
    return bool(password) and check_password(password, hashed or "")


def _require_reveal(scope: Scope, member: Member, password: str | None) -> None:
    """members.reveal over the member with the password; the member themselves with the
    password too (a borrowed or unattended session shows no full number)."""
    own = scope.member_id is not None and scope.member_id == member.pk
    if own and not scope.may_reveal(member):
        if not _password_ok(scope.user_id, password):
            raise ApplicationError("密码不正确，请重新输入登录密码。", field="password")
        return
    scope.require(
        Perm.MEMBERS_REVEAL, member.org, password=password, message="您的职务无权查看完整个人信息。"
    )


def member_reveal_check(
    *,
    scope: Scope,
    member: Member,
    fields: tuple[str, ...],
    user: User,
    password: str | None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    purpose: str = "查看",
) -> None:
    """The password step before full values of ``fields`` are shown: refuses without the
    right or with a wrong password, and logs every attempt (security event REVEAL, the
    member as target, never the value; PersonalDataAccess for each field shown)."""
    labels = "、".join(FIELD_LABELS.get(f, f) for f in fields)
    target = f"党员 {member.name}（编号 {member.pk}）"
    if any(f not in REVEALABLE for f in fields):
        raise ApplicationError("该字段不可查看。", field="field")
    try:
        _require_reveal(scope, member, password)
    except ApplicationError as exc:
        events.record(
            events.Kind.REVEAL,
            request=request,
            user=user,
            target=target,
            detail=f"{purpose}{labels}被拒绝：{exc.message}",
            ok=False,
        )
        raise
    ip = client_ip(request) if request is not None else ip
    for f in fields:
        PersonalDataAccess.objects.create(user=user, member=member, field=f, ip=ip)
    events.record(
        events.Kind.REVEAL, request=request, user=user, target=target, detail=f"{purpose}{labels}"
    )


def member_reveal(
    *,
    scope: Scope,
    member: Member,
    field: str,
    user: User,
    password: str,
    request: HttpRequest | None = None,
    ip: str | None = None,
) -> str:
    """The full value of a protected field, after the password; the view is logged."""
    member_reveal_check(
        scope=scope,
        member=member,
        fields=(field,),
        user=user,
        password=password,
        request=request,
        ip=ip,
    )
    return getattr(member, field) or ""


def changes_protected(member: Member, data: MemberData) -> bool:
    """Whether ``data`` changes the ID number, phone or address (after ``keep_masked``):
    such a change needs the password step (查看完整信息) first."""
    return any((getattr(data, f) or "") != (getattr(member, f) or "") for f in MASKS)


def keep_masked(member: Member, data: MemberData) -> MemberData:
    """A masked value sent back (an API client echoing what it read, a form whose values
    were shown masked) never replaces the stored one: the stored value stays."""
    for field, mask in MASKS.items():
        stored = getattr(member, field) or ""
        sent = getattr(data, field) or ""
        if stored and MASK in sent and sent == mask(stored):
            setattr(data, field, stored)
    return data


def _require_development(scope: Scope, member: Member, message: str) -> None:
    """Outcomes of member development (转正, the applicant's login kept) are written by
    those who keep the member record (members.edit) or do development work there
    (development.manage)."""
    if not (
        scope.can(Perm.MEMBERS_EDIT, member.org) or scope.can(Perm.DEVELOPMENT_MANAGE, member.org)
    ):
        raise AccessDenied(message)


@transaction.atomic
def member_relocate(*, member: Member, org: Organization | None, ended_at: date) -> Member:
    """A transfer (组织关系转接) moved the member: their posts end; within the county they
    join ``org`` (``None``: they left the county, see member_change_status 已转出).
    Internal: called inside the transfer's transaction, whose service checked the
    caller's transfers.manage itself."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    reason = "组织关系转出本县" if org is None else "组织关系转接"
    posts_end_for_member(member=member, ended_at=ended_at, reason=reason, logout=org is None)
    if org is not None:
        member.org = org
        member.save(update_fields=["org", "updated_at"])
    transaction.on_commit(rollup_mark_dirty)
    return member


@transaction.atomic
def member_make_full(*, scope: Scope, member: Member, full_member_at: date) -> Member:
    """转为正式党员: a probationary member becomes full; 党龄 counts from ``full_member_at``
    (the end of the probation period). Used by member development (step 24)."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    _require_development(scope, member, "无权办理该党员转正。")
    if member.category_code != "probationary":
        raise ApplicationError("只有预备党员可以转为正式党员。", field="category_code")
    if member.party_status_code != "normal":
        raise ApplicationError("党籍状态不正常，不能转为正式党员。", field="party_status_code")
    if full_member_at <= member.joined_at:
        raise ApplicationError("转为正式党员日期必须晚于加入党组织日期。", field="full_member_at")
    if full_member_at > timezone.localdate():
        raise ApplicationError("转为正式党员日期不能晚于今天。", field="full_member_at")
    member.category_code, member.full_member_at = "full", full_member_at
    member.save(update_fields=["category_code", "full_member_at", "updated_at"])
    return member


@transaction.atomic
def member_link_user(*, scope: Scope, member: Member, user: User) -> Member:
    """Make ``user`` the member's login (登录账号), e.g. an applicant admitted as a
    probationary member (member development, step 17). A login belongs to one member."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    _require_development(scope, member, "无权为该党员关联登录账号。")
    if member.user_id not in (None, user.pk):
        raise ApplicationError("该党员已关联其他登录账号。", field="user")
    if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise ApplicationError(f"账号“{user.username}”已关联其他党员。", field="user")
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    return member
