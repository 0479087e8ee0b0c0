"""Writes to posts (任职、免职) and to the county's post permissions. Each service checks
the caller's scope itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from shared.accounts.models import User
from shared.standards.models import CodeTable, Permission
from shared.standards.selectors import code_name, codes_flagged, is_valid_code
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
    return Post.objects.create(org=org, member=member, post_code=post_code, started_at=started_at)


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
    return post


def posts_end_for_org(*, org: Any, ended_at: date, reason: str) -> int:
    """End every active post in ``org`` (the organization is dissolved or merged away);
    the caller's service has checked its own permission."""
    return Post.objects.filter(org=org, ended_at__isnull=True).update(
        ended_at=ended_at, end_reason=reason[:100]
    )


def posts_end_for_member(*, member: Any, ended_at: date, reason: str, logout: bool) -> int:
    """End every active post of ``member``; with ``logout`` also disable their login
    (they left: 出党, 停止党籍, death, transfer out of the county). Called inside the
    status change's or the transfer's transaction."""
    ended = Post.objects.filter(member=member, ended_at__isnull=True).update(
        ended_at=ended_at, end_reason=reason[:100]
    )
    if logout and member.user_id is not None:
        User.objects.filter(pk=member.user_id).update(is_active=False)
    return ended


@transaction.atomic
def post_grant_set(
    *, scope: Scope, post_code: str, permission: str, granted: bool, reason: str, actor: User
) -> PostGrantOverride | None:
    """Set what ``post_code`` may do in this county: back to the city default when
    ``granted`` equals it (the override row goes), else an override with its reason."""
    if not scope.is_admin:
        raise ApplicationError("只有区县管理员可以调整职务权限。")
    if not is_valid_code(CodeTable.POST, post_code):
        raise ApplicationError(f"未知的职务“{post_code}”。", field="post_code")
    if not Permission.objects.filter(code=permission).exists():
        raise ApplicationError(f"未知的权限项“{permission}”。", field="permission")
    default = permission in default_grants().get(post_code, frozenset())
    if granted == default:
        PostGrantOverride.objects.filter(post_code=post_code, permission=permission).delete()
        return None
    if not reason.strip():
        raise ApplicationError("请填写调整依据。", field="reason")
    override, _ = PostGrantOverride.objects.update_or_create(
        post_code=post_code,
        permission=permission,
        defaults={"granted": granted, "reason": reason.strip()[:200], "updated_by": actor},
    )
    return override
