"""Reads of the leadership teams (班子): who holds which post, the term (本届任期) and its
state, the history of who held what, and the post-permission matrix (职务权限)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shared.standards.models import CodeTable, Permission
from shared.standards.selectors import code_choices, code_name
from tenants.access.grants import default_grants, effective_grants
from tenants.access.models import Post, PostGrantOverride
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.rules.selectors import UnknownRule, rule_value

TERM_RULE = "rollups.term_warning_days"


def post_order() -> dict[str, int]:
    """post code → its place in the post code table (书记, 副书记, 组织委员 … 联系人)."""
    return {code: n for n, (code, _name) in enumerate(code_choices(CodeTable.POST))}


def post_name(code: str) -> str:
    return code_name(CodeTable.POST, code, "其他职务")


def _sorted(posts: list[Post]) -> list[Post]:
    order = post_order()
    return sorted(posts, key=lambda p: (order.get(p.post_code, 999), p.started_at, p.pk))


def team_of(org: Organization) -> list[Post]:
    """The current post holders of ``org`` in post order."""
    posts = Post.objects.filter(org=org, ended_at__isnull=True).select_related("member")
    return _sorted(list(posts))


def org_history(org: Organization) -> list[Post]:
    """Every post held in ``org``, ended ones too, newest first."""
    return list(
        Post.objects.filter(org=org).select_related("member").order_by("-started_at", "-pk")
    )


def member_history(member: Any) -> list[Post]:
    """Every post ``member`` held, ended ones too, newest first."""
    return list(
        Post.objects.filter(member=member).select_related("org").order_by("-started_at", "-pk")
    )


# --- The term (本届任期) -------------------------------------------------------------

ENDED, ENDING, CURRENT, UNSET = "ended", "ending", "current", "unset"
TERM_STATES = {ENDED: "任期已届满", ENDING: "即将届满", CURRENT: "任期内", UNSET: "未设置任期"}


def warning_days() -> int | None:
    """The county's 换届提前预警天数 (a rule), or None where there is no such rule."""
    try:
        return int(rule_value(TERM_RULE))
    except UnknownRule:
        return None


@dataclass(frozen=True)
class Term:
    started_at: date | None
    ends_at: date | None
    state: str
    warning: str  # the 换届 warning, empty when none is due

    @property
    def label(self) -> str:
        return TERM_STATES[self.state]


def term_of(org: Any, *, today: date | None = None, days: int | None = None) -> Term:
    today = today or timezone.localdate()
    ends = org.term_ends_at
    if ends is None:
        return Term(org.term_started_at, None, UNSET, "")
    if ends < today:
        return Term(org.term_started_at, ends, ENDED, "本届任期已届满，请及时换届。")
    if days is not None and ends <= today + timedelta(days=days):
        left = (ends - today).days
        return Term(
            org.term_started_at, ends, ENDING, f"本届任期将于{left}天后届满，请做好换届准备。"
        )
    return Term(org.term_started_at, ends, CURRENT, "")


# --- The index of teams ----------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    org: Organization
    type_name: str
    secretaries: list[str]
    term: Term


def team_index(
    scope: Scope,
    *,
    name: str = "",
    state: str = "",
    no_secretary: bool = False,
    type_names: dict[str, str] | None = None,
) -> list[TeamRow]:
    """The organizations in the user's scope with their secretary and term state."""
    orgs: QuerySet[Organization] = Organization.objects.visible_to(scope).order_by("path")
    if name:
        orgs = orgs.filter(name__icontains=name)
    orgs = orgs.only("id", "name", "path", "depth", "type_code", "term_started_at", "term_ends_at")
    org_list = list(orgs)
    secretaries: dict[int, list[str]] = {}
    for org_id, member_name in (
        Post.objects.filter(
            org_id__in=[o.pk for o in org_list], post_code="secretary", ended_at__isnull=True
        )
        .order_by("started_at", "pk")
        .values_list("org_id", "member__name")
    ):
        secretaries.setdefault(org_id, []).append(member_name)
    today, days, names = timezone.localdate(), warning_days(), type_names or {}
    rows = []
    for org in org_list:
        row = TeamRow(
            org,
            names.get(org.type_code, ""),
            secretaries.get(org.pk, []),
            term_of(org, today=today, days=days),
        )
        if state and row.term.state != state:
            continue
        if no_secretary and row.secretaries:
            continue
        rows.append(row)
    return rows


# --- The post-permission matrix (职务权限) -----------------------------------------------


@dataclass(frozen=True)
class Cell:
    post_code: str
    permission: str
    default: bool
    value: bool
    override: PostGrantOverride | None

    @property
    def changed(self) -> bool:
        return self.default != self.value


@dataclass(frozen=True)
class MatrixRow:
    post_code: str
    post_name: str
    cells: list[Cell]


def permission_catalogue() -> list[Permission]:
    return list(Permission.objects.order_by("sort", "code"))


def grant_matrix() -> tuple[list[Permission], list[MatrixRow]]:
    """Posts × permissions: the city default and this county's value of each."""
    permissions = permission_catalogue()
    defaults, effective = default_grants(), effective_grants()
    overrides = {
        (o.post_code, o.permission): o
        for o in PostGrantOverride.objects.select_related("updated_by")
    }
    rows = []
    for code, name in code_choices(CodeTable.POST):
        cells = [
            Cell(
                code,
                p.code,
                p.code in defaults.get(code, frozenset()),
                p.code in effective.get(code, frozenset()),
                overrides.get((code, p.code)),
            )
            for p in permissions
        ]
        rows.append(MatrixRow(code, name, cells))
    return permissions, rows


def overrides_list() -> list[PostGrantOverride]:
    return list(PostGrantOverride.objects.select_related("updated_by").order_by("post_code"))
