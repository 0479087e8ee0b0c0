"""三员分立: what each administrator role may do, in one table (等保 level 3).

The platform has three administrators at each level, and none does another's work:

- the system administrator (系统管理员) runs the site: in a county the 区县管理员 —
  organizations, members, rules, member logins — and for the platform the 运维人员 —
  counties and the city's accounts. Neither sets post permissions nor reads the audit;
- the security administrator (安全管理员) sets security policy: the county's post
  permissions (职务权限), login lockouts, other users' sessions and second factors; reads
  the security events; sees no member data;
- the auditor (审计管理员) reads and exports the audit trail (审计日志, the database's
  history of every write) and the security events of their own site, and administers
  nothing: no member data, no settings, no accounts. A county's auditor sees that
  county's logs, the city's auditor the city and ops users' events.

Pages, menus and services ask this table (``roles_with``, ``has_duty``, ``Scope.may``),
never ``if role == …``. Post holders' permissions over organizations are another matter
(``tenants.access``: what a 书记 may do in their subtree).

Who creates these accounts: the system administrator of the level above or beside, never
the auditor themselves — ops onboarding creates a county's administrator, and the ops team
creates the city's security administrator and auditor on 市级账号 (``manage.py``); a
county's security administrator and auditor are created by the ops team too (the county
administrator, whom they audit, does not create them; see ``county_officer_create``).
"""

from __future__ import annotations

from enum import StrEnum

from shared.accounts.models import User

Role = User.Role


class Duty(StrEnum):
    AUDIT_TRAIL = "audit_trail"  # 审计日志: the history of every write, read and export
    SECURITY_EVENTS = "security_events"  # 安全审计: the security events, read
    SECURITY_EVENTS_EXPORT = "security_events_export"  # … and exported
    POST_GRANTS = "post_grants"  # 职务权限: what each post may do in the county
    LOCKOUTS = "lockouts"  # 登录锁定: see and lift lockouts
    SECURITY_RESETS = "security_resets"  # end another user's sessions, reset their 2FA
    SITE_SETTINGS = "site_settings"  # 规则参数 and the running of the site
    ACCOUNTS = "accounts"  # issue and manage other users' logins


DUTIES: dict[str, frozenset[Duty]] = {
    Role.AUDITOR: frozenset({Duty.AUDIT_TRAIL, Duty.SECURITY_EVENTS, Duty.SECURITY_EVENTS_EXPORT}),
    Role.SECURITY_ADMIN: frozenset(
        {Duty.POST_GRANTS, Duty.LOCKOUTS, Duty.SECURITY_RESETS, Duty.SECURITY_EVENTS}
    ),
    Role.COUNTY_ADMIN: frozenset({Duty.SITE_SETTINGS, Duty.ACCOUNTS}),
    # The platform's operators also lift lockouts and reset second factors on the city
    # site (they are the ones on call when an operator is locked out at night).
    Role.OPS: frozenset({Duty.SITE_SETTINGS, Duty.ACCOUNTS, Duty.LOCKOUTS, Duty.SECURITY_RESETS}),
    Role.CITY: frozenset(),
    Role.ORG_STAFF: frozenset(),
    Role.MEMBER: frozenset(),
    Role.APPLICANT: frozenset(),
}

# Administrator accounts that are nobody's member login: they never act through posts
# (a post held by the same person belongs to their own member login).
OFFICER_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR})


def duties_of(role: str) -> frozenset[Duty]:
    return DUTIES.get(role, frozenset())


def roles_with(duty: Duty) -> frozenset[str]:
    """The roles that carry ``duty`` (a page's guard, a menu item's roles)."""
    return frozenset(role for role, duties in DUTIES.items() if duty in duties)


def has_duty(user: object, duty: Duty) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and duty in duties_of(
        getattr(user, "role", "")
    )
