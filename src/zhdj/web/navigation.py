"""Navigation by role: one table, read by the base layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from shared.accounts.models import User
from shared.accounts.roles import Duty, roles_with
from zhdj.web.access import resolve_scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user of the site
    icon: str
    manages: bool = False  # only for users who act on organizations (admin or a post)
    # URL namespaces of pages that belong to this item's section without being under its
    # address (the member import belongs to 党员信息).
    sections: tuple[str, ...] = ()
    # Only for ops users and city account administrators (shared/accounts/manage.py).
    account_admin: bool = False
    # Only for users whose posts carry this permission somewhere (a Perm code).
    permission: str = ""

    @property
    def namespace(self) -> str:
        return self.url_name.partition(":")[0] if ":" in self.url_name else ""


PUBLIC_NAV = (
    NavItem("首页", "home", None, "home"),
    NavItem("全市看板", "rollups:dashboard", frozenset({User.Role.CITY, User.Role.OPS}), "chart"),
    NavItem("电子地图", "rollups:map", frozenset({User.Role.CITY, User.Role.OPS}), "map"),
    NavItem(
        "市级课程", "learning_city:courses", frozenset({User.Role.CITY, User.Role.OPS}), "book"
    ),
    NavItem("区县管理", "customers:tenants", frozenset({User.Role.OPS}), "building"),
    NavItem("开通区县", "customers:onboard", frozenset({User.Role.OPS}), "plus"),
    NavItem("系统健康", "health-page", frozenset({User.Role.OPS}), "pulse"),
    NavItem(
        "市级账号", "cityusers:list", frozenset(User.PUBLIC_ROLES), "people", account_admin=True
    ),
    NavItem("区县三员账号", "cityusers:officers", frozenset({User.Role.OPS}), "shield"),
    NavItem("安全审计", "security:events", roles_with(Duty.SECURITY_EVENTS), "shield"),
    NavItem("区县变更记录", "customers:lifecycle", roles_with(Duty.AUDIT_TRAIL), "shield"),
    NavItem("动态口令", "accounts:otp_manage", None, "key"),
    NavItem("口令重置", "accounts:otp_reset", roles_with(Duty.SECURITY_RESETS), "key"),
    NavItem("登录锁定", "accounts:lockouts", roles_with(Duty.LOCKOUTS), "shield"),
)
COUNTY_NAV = (
    NavItem("首页", "home", None, "home"),
    NavItem("组织架构", "orgs:tree", None, "tree", manages=True),
    NavItem("党员信息", "members:list", None, "people", manages=True, sections=("imports",)),
    NavItem("党内统计", "stats:overview", None, "chart", permission="stats.view"),
    NavItem("数据看板", "rollups:county_dashboard", None, "chart", permission="stats.view"),
    NavItem("电子地图", "rollups:county_map", None, "map", permission="stats.view"),
    NavItem("发展党员", "development:board", None, "sprout", permission="development.manage"),
    NavItem("党费收缴", "dues:overview", None, "coin", permission="dues.manage"),
    NavItem("关系转接", "transfers:list", None, "swap", permission="transfers.manage"),
    NavItem("组织生活", "orglife:index", None, "calendar", permission="orglife.manage"),
    NavItem("学习教育", "learning:manage-courses", None, "book", permission="learning.manage"),
    NavItem("流动党员", "flowing:index", None, "swap", permission="flowing.manage"),
    NavItem("登录账号", "logins:list", None, "key", permission="accounts.manage"),
    NavItem("班子与职务", "teams:index", None, "people", manages=True),  # members.view
    NavItem("我的信息", "members:me", frozenset({User.Role.MEMBER}), "person"),
    NavItem("我的党费", "dues:mine", frozenset({User.Role.MEMBER}), "coin"),
    NavItem("我的转接", "transfers:mine", frozenset({User.Role.MEMBER}), "swap"),
    NavItem("我的组织生活", "orglife:mine", frozenset({User.Role.MEMBER}), "calendar"),
    NavItem("我的学习", "learning:mine", frozenset({User.Role.MEMBER}), "book"),
    NavItem("我的活动证", "flowing:mine", frozenset({User.Role.MEMBER}), "swap"),
    NavItem("入党进程", "development:mine", frozenset({User.Role.APPLICANT}), "sprout"),
    NavItem("消息", "notifications:list", None, "bell"),
    NavItem("发布通知", "notifications:compose", None, "send", permission="notices.publish"),
    # 三员分立 (shared/accounts/roles.py): the security administrator and the auditor.
    NavItem("职务权限", "teams:permissions", roles_with(Duty.POST_GRANTS), "shield"),
    NavItem("规则参数", "rules:list", frozenset({User.Role.COUNTY_ADMIN}), "sliders"),
    NavItem("审计日志", "audit:list", roles_with(Duty.AUDIT_TRAIL), "shield"),
    NavItem("安全审计", "audit:events", roles_with(Duty.SECURITY_EVENTS), "shield"),
    NavItem("动态口令", "accounts:otp_manage", None, "key"),
    NavItem("口令重置", "accounts:otp_reset", roles_with(Duty.SECURITY_RESETS), "key"),
    NavItem("登录锁定", "accounts:lockouts", roles_with(Duty.LOCKOUTS), "shield"),
)


def navigation_for(
    request: HttpRequest, user: User | None, *, is_public: bool
) -> list[dict[str, str | bool]]:
    if user is None or not user.is_authenticated:
        return []
    shown: list[tuple[NavItem, str]] = []
    for item in PUBLIC_NAV if is_public else COUNTY_NAV:
        if item.roles is not None and user.role not in item.roles:
            continue
        if item.account_admin and not (user.is_ops or user.manages_accounts):
            continue
        if item.manages and not _manages(request):
            continue
        if item.permission and not _scope(request).has(item.permission):
            continue
        try:
            shown.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    current = _current(request, shown)
    return [
        {"label": item.label, "url": url, "icon": item.icon, "active": item is current}
        for item, url in shown
    ]


def _current(request: HttpRequest, shown: list[tuple[NavItem, str]]) -> NavItem | None:
    """The one item of the section the page belongs to.

    The one the view named (``request.nav_section``, a URL name: a member's own record is
    我的信息 for a branch secretary too); else the deepest address the page is under
    (/dashboard/map/ is 电子地图, not 数据看板); else an item of the page's URL namespace
    (for a member, a transfer /transfers/5/ is 我的转接).
    """
    chosen = getattr(request, "nav_section", None)
    if chosen is not None:
        for item, _url in shown:
            if item.url_name == chosen:
                return item
    path = request.path
    under = [
        (len(url), item)
        for item, url in shown
        if path == url or (url != "/" and path.startswith(url))
    ]
    if under:
        return max(under, key=lambda pair: pair[0])[1]
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else ""
    if namespace:
        for item, _url in shown:
            if namespace == item.namespace or namespace in item.sections:
                return item
    return None


def _manages(request: HttpRequest) -> bool:
    return _scope(request).manages_orgs


def _scope(request: HttpRequest) -> Any:
    """The scope the page's base class left on the request; an error page rendered before
    any view ran (a missing address) resolves it the same way."""
    scope = getattr(request, "org_scope", None)
    if scope is None:
        scope = request.org_scope = resolve_scope(request)  # type: ignore[attr-defined]
    return scope
