"""Writes to posts (任职、免职) and to the county's post permissions. Each service checks
the caller's scope itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from shared.accounts.events import record
from shared.accounts.models import User
from shared.accounts.roles import Duty
from shared.standards.models import CodeTable, Permission
from shared.standards.selectors import code_name, codes_flagged, is_valid_code
from tenants.access.events import Kind, scope_record
from tenants.access.grants import default_grants
from tenants.access.models import Post, PostGrantOverride
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from zhdj.errors import ApplicationError


@transaction.atomic
def post_assign(*, scope: Scope, org: Any, member: Any, post_code: str, started_at: date) -> Post:
    """Give ``member`` a post in ``org`` (任职)."""
    scope.require(Perm.POSTS_MANAGE, org, message="无权在该组织任命职务。")
    if not is_valid_code(CodeTable.POST, post_code):
        raise ApplicationError(f"未知的职务“{post_code}”。", field="post_code")
    if member.party_status_code != "normal":
        raise ApplicationError("只有党籍状态正常的党员可以任职。", field="member")
    active = Post.objects.filter(org=org, post_code=post_code, ended_at__isnull=True)
    if active.filter(member=member).exists():
        raise ApplicationError("该党员已担任此职务。", field="post_code")
    holder = active.select_related("member").first()
    if holder is not None and post_code in codes_flagged(CodeTable.POST, "single"):
        name = code_name(CodeTable.POST, post_code, post_code)
        raise ApplicationError(
            f"该组织的{name}由{holder.member.name}担任，请先免去其职务再任命。", field="post_code"
        )
    post = Post.objects.create(org=org, member=member, post_code=post_code, started_at=started_at)
    scope_record(
        scope,
        Kind.PERMISSION,
        target=f"{org.name} {code_name(CodeTable.POST, post_code, post_code)} {member.name}",
        detail=f"任职，任职日期 {started_at:%Y-%m-%d}",
    )
    return post


@transaction.atomic
def post_end(*, scope: Scope, post: Post, ended_at: date, reason: str = "") -> Post:
    """End a post (免职)."""
    post = Post.objects.select_for_update().select_related("org").get(pk=post.pk)
    scope.require(Perm.POSTS_MANAGE, post.org, message="无权免除该职务。")
    if post.ended_at is not None:
        raise ApplicationError("该职务已免除。")
    if ended_at < post.started_at:
        raise ApplicationError("免职日期不能早于任职日期。", field="ended_at")
    post.ended_at, post.end_reason = ended_at, reason[:100]
    post.save(update_fields=["ended_at", "end_reason"])
    scope_record(
        scope,
        Kind.PERMISSION,
        target=f"{post.org.name} {code_name(CodeTable.POST, post.post_code, post.post_code)} "
        f"{post.member.name}",
        detail=f"免职，免职日期 {ended_at:%Y-%m-%d}" + (f"，原因：{reason}" if reason else ""),
    )
    return post


def posts_end_for_org(*, org: Any, ended_at: date, reason: str) -> int:
    """End every active post in ``org`` (the organization is dissolved or merged away);
    the caller's service has checked its own permission."""
    ended = Post.objects.filter(org=org, ended_at__isnull=True).update(
        ended_at=ended_at, end_reason=reason[:100]
    )
    if ended:
        record(Kind.PERMISSION, target=org.name, detail=f"免去该组织全部职务 {ended} 项：{reason}")
    return ended


def posts_end_for_member(*, member: Any, ended_at: date, reason: str, logout: bool) -> int:
    """End every active post of ``member``; with ``logout`` also disable their login
    (they left: 出党, 停止党籍, death, transfer out of the county). Called inside the
    status change's or the transfer's transaction."""
    ended = Post.objects.filter(member=member, ended_at__isnull=True).update(
        ended_at=ended_at, end_reason=reason[:100]
    )
    if logout and member.user_id is not None:
        User.objects.filter(pk=member.user_id).update(is_active=False)
        record(Kind.ACCOUNT, target=member.name, detail=f"停用登录账号：{reason}")
    if ended:
        record(Kind.PERMISSION, target=member.name, detail=f"免去全部职务 {ended} 项：{reason}")
    return ended


@transaction.atomic
def post_grant_set(
    *, scope: Scope, post_code: str, permission: str, granted: bool, reason: str, actor: User
) -> PostGrantOverride | None:
    """Set what ``post_code`` may do in this county: back to the city default when
    ``granted`` equals it (the override row goes), else an override with its reason."""
    # 三员分立: the security administrator's duty, not the county administrator's.
    scope.require_duty(Duty.POST_GRANTS, message="只有安全管理员可以调整职务权限。")
    if not is_valid_code(CodeTable.POST, post_code):
        raise ApplicationError(f"未知的职务“{post_code}”。", field="post_code")
    perm_name = Permission.objects.filter(code=permission).values_list("name", flat=True).first()
    if perm_name is None:
        raise ApplicationError(f"未知的权限项“{permission}”。", field="permission")
    default = permission in default_grants().get(post_code, frozenset())
    target = f"{code_name(CodeTable.POST, post_code, post_code)} · {perm_name}"
    if granted == default:
        deleted, _ = PostGrantOverride.objects.filter(
            post_code=post_code, permission=permission
        ).delete()
        if deleted:
            scope_record(scope, Kind.PERMISSION, target=target, detail="恢复为市级默认")
        return None
    if not reason.strip():
        raise ApplicationError("请填写调整依据。", field="reason")
    override, _ = PostGrantOverride.objects.update_or_create(
        post_code=post_code,
        permission=permission,
        defaults={"granted": granted, "reason": reason.strip()[:200], "updated_by": actor},
    )
    scope_record(
        scope,
        Kind.PERMISSION,
        target=target,
        detail=f"{'授予' if granted else '取消'}，依据：{reason.strip()[:200]}",
    )
    return override
