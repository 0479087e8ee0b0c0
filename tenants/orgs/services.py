"""Writes to the county's organization tree: create, update, rename, move, merge,
dissolve — each with a history row (组织沿革)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shared.accounts.models import User
from shared.customers.models import Tenant
from shared.rollups.dirty import rollup_mark_dirty
from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import codes_flagged, is_valid_code
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.access.services import posts_end_for_org
from tenants.orgs.models import Organization, OrganizationChange
from zhdj.errors import ApplicationError
from zhdj.validation.names import name_problem, normalize_name, text_problem

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# A mobile number (11 digits) or a landline with its area code and an optional
# extension: 0912-3333333, 09123333333, 0912-3333333-801.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
# Organizations are in China: a point outside its extent is a typo or swapped figures.
LATITUDE_RANGE = (Decimal(3), Decimal(54))
LONGITUDE_RANGE = (Decimal(73), Decimal(136))
EDITABLE = (
    "short_name",
    "category_code",
    "unit_situation_code",
    "unit_name",
    "unit_nature",
    "industry",
    "credit_code",
    "contact_name",
    "contact_phone",
    "has_approval_authority",
    "term_started_at",
    "term_ends_at",
    "latitude",
    "longitude",
)


def _snapshot(org: Organization, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _json(getattr(org, f)) for f in fields}


def _json(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _history(
    org: Organization,
    action: str,
    *,
    before: dict,
    after: dict,
    actor: User | None,
    effective_date: date | None = None,
    reason: str = "",
) -> None:
    OrganizationChange.objects.create(
        org=org,
        action=action,
        before=before,
        after=after,
        actor=actor,
        reason=reason,
        effective_date=effective_date or timezone.localdate(),
    )
    # Every organization write records its history here: the dashboard refreshes too.
    transaction.on_commit(rollup_mark_dirty)


def _covers(scope: Scope, org: Organization) -> None:
    """The caller's posts carry 管理党组织 (orgs.manage) over ``org``."""
    scope.require(Perm.ORGS_MANAGE, org, message=f"无权调整“{org.name}”。")


def _covers_from_above(scope: Scope, org: Organization) -> None:
    """Moving, merging or dissolving an organization is decided by the organization above
    it (上级党组织决定), so the caller needs orgs.manage over its parent: a branch's own
    secretary may edit the branch's fields, not dissolve it."""
    if org.depth == 1:
        return  # the county committee: refused by the services' own rule
    parent = Organization.objects.get_parent(org)
    scope.require(
        Perm.ORGS_MANAGE,
        parent,
        message=f"“{org.name}”的撤销、合并和隶属关系调整由上级党组织办理。",
    )


def _type(code: str) -> OrganizationType:
    org_type = OrganizationType.objects.filter(code=code).first()
    if org_type is None:
        raise ApplicationError(f"未知的组织类型“{code}”。", field="type_code")
    return org_type


def _fresh(org: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=org.pk)


@transaction.atomic
def org_link_city(*, city_org_id: int, **_: object) -> Organization:
    """Point the county's root at another city node (a county restored under a new name
    gets its own node), with a history row."""
    root = _fresh(Organization.objects.get_root_nodes().get())
    before = {"city_org_id": root.city_org_id}
    root.city_org_id = city_org_id
    root.save(update_fields=["city_org_id"])
    _history(
        root,
        OrganizationChange.Action.UPDATE,
        before=before,
        after={"city_org_id": city_org_id},
        actor=None,
    )
    return root


@transaction.atomic
def org_create_county_root(*, tenant: Tenant, city_org_id: int, **_: object) -> Organization:
    """The county committee (县区委) at the root of the county's tree (idempotent).

    Called by onboarding inside the new county's schema.
    """
    existing = Organization.objects.get_root_nodes().first()
    if existing is not None:
        if existing.city_org_id != city_org_id:
            raise ApplicationError("该区县已存在根组织，且与市级组织节点不一致。")
        return existing
    root = Organization.objects.add_root(
        create_kwargs={
            "name": f"中共{tenant.name}委员会",
            "short_name": f"{tenant.name}委",
            "type_code": "county_committee",
            "city_org_id": city_org_id,
            "has_approval_authority": True,
        }
    )
    _history(
        root, OrganizationChange.Action.CREATE, before={}, after={"name": root.name}, actor=None
    )
    return root


@transaction.atomic
def org_create(
    *,
    scope: Scope,
    parent: Organization,
    name: str,
    type_code: str,
    actor: User | None = None,
) -> Organization:
    """A new organization under ``parent``; the type must be allowed there."""
    _covers(scope, parent)
    org_type = _type(type_code)
    if parent.type_code not in org_type.allowed_parents:
        raise ApplicationError(f"“{org_type.name}”不能设在“{parent.name}”之下。", field="parent")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写组织名称。", field="name")
    parent = _fresh(parent)
    if not parent.is_active:
        raise ApplicationError(f"“{parent.name}”已撤销。", field="parent")
    if Organization.objects.get_children(parent).filter(name=name, is_active=True).exists():
        raise ApplicationError(f"“{parent.name}”下已有名为“{name}”的组织。", field="name")
    org = Organization.objects.add_child(
        parent, create_kwargs={"name": name, "type_code": type_code}
    )
    _history(
        org,
        OrganizationChange.Action.CREATE,
        before={},
        after={"name": name, "type_code": type_code, "parent": parent.name},
        actor=actor,
    )
    return org


TEXT_LABELS = {
    "short_name": "简称",
    "unit_name": "单位名称",
    "unit_nature": "单位性质类别",
    "industry": "行业",
    "contact_phone": "联系电话",
}


def _text_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """The contact is a person's name, the rest free text (zhdj.validation.names); the
    API reaches org_update without the form's fields, so the service checks too."""
    errors: dict[str, list[str]] = {}
    if values.get("contact_name"):
        values["contact_name"] = normalize_name(values["contact_name"])
        problem = name_problem(values["contact_name"], label="联系人")
        if problem:
            errors["contact_name"] = [problem]
    for field, label in TEXT_LABELS.items():
        problem = text_problem(values.get(field) or "", label=label)
        if problem:
            errors[field] = [problem]
    return errors


def _validate_fields(
    values: dict[str, Any], current: Organization | None = None
) -> dict[str, list[str]]:
    """Errors by field; a code ``current`` already has passes even when withdrawn from
    the code table (an edit must not fail on a field nobody touched)."""
    errors: dict[str, list[str]] = {}
    checks = (
        ("category_code", CodeTable.ORG_CATEGORY, "组织类别"),
        ("unit_situation_code", CodeTable.UNIT_SITUATION, "所在单位情况"),
    )
    for field, table, label in checks:
        value = values.get(field)
        kept = current is not None and getattr(current, field) == value
        if value and not kept and not is_valid_code(table, value):
            errors[field] = [f"{label}“{value}”不在代码表中。"]
    errors.update(_text_errors(values))
    credit = values.get("credit_code")
    if credit and not CREDIT_CODE_RE.match(credit):
        errors["credit_code"] = ["统一社会信用代码应为 18 位（GB 32100）。"]
    start, end = values.get("term_started_at"), values.get("term_ends_at")
    if start and end and end <= start:
        errors["term_ends_at"] = ["任期届满日期必须晚于任期开始日期。"]
    # Like the codes above, a value saved before these checks existed passes unchanged.
    phone = values.get("contact_phone")
    kept = current is not None and current.contact_phone == phone
    if phone and not kept and "contact_phone" not in errors and not PHONE_RE.match(phone.strip()):
        errors["contact_phone"] = [
            "联系电话应为 11 位手机号码或带区号的固定电话（如 0912-3333333）。"
        ]
    lat, lng = values.get("latitude"), values.get("longitude")
    if current is None or (lat, lng) != (current.latitude, current.longitude):
        errors.update(_point_errors(lat, lng))
    return errors


def _point_errors(lat: Any, lng: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if (lat is None) != (lng is None):
        errors["latitude"] = ["经纬度须同时填写。"]
        return errors
    if lat is None:
        return errors
    low, high = LATITUDE_RANGE
    if not low <= Decimal(str(lat)) <= high:
        errors["latitude"] = [f"纬度应在 {low}–{high} 度之间（中国境内）。"]
    low, high = LONGITUDE_RANGE
    if not low <= Decimal(str(lng)) <= high:
        errors["longitude"] = [f"经度应在 {low}–{high} 度之间（中国境内）。"]
    return errors


@transaction.atomic
def org_update(
    *, scope: Scope, org: Organization, values: dict[str, Any], actor: User
) -> Organization:
    """Edit the organization's fields (§6); name, place and status have their own actions."""
    org = _fresh(org)
    _covers(scope, org)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ApplicationError(f"不能在此修改：{', '.join(sorted(unknown))}。")
    errors = _validate_fields(values, org)
    if values.get("has_approval_authority") and not _type(org.type_code).may_approve_members:
        errors["has_approval_authority"] = [
            f"{_type(org.type_code).name}不能具有审批预备党员的权限。"
        ]
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(messages[0], field=field, extra={"errors": errors})
    changed = tuple(f for f in values if getattr(org, f) != values[f])
    if not changed:
        return org
    before = _snapshot(org, changed)
    for field in changed:
        setattr(org, field, values[field])
    org.save()
    _history(
        org,
        OrganizationChange.Action.UPDATE,
        before=before,
        after=_snapshot(org, changed),
        actor=actor,
    )
    return org


@transaction.atomic
def org_rename(
    *,
    scope: Scope,
    org: Organization,
    name: str,
    effective_date: date,
    actor: User,
    reason: str = "",
) -> Organization:
    org = _fresh(org)
    _covers(scope, org)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写新名称。", field="name")
    if name == org.name:
        raise ApplicationError("新名称与原名称相同。", field="name")
    parent = Organization.objects.get_parent(org)
    if (
        parent is not None
        and Organization.objects.get_children(parent)
        .filter(name=name, is_active=True)
        .exclude(pk=org.pk)
        .exists()
    ):
        raise ApplicationError(f"“{parent.name}”下已有名为“{name}”的组织。", field="name")
    before = {"name": org.name}
    org.name = name
    org.save(update_fields=["name"])
    _history(
        org,
        OrganizationChange.Action.RENAME,
        before=before,
        after={"name": name},
        actor=actor,
        effective_date=effective_date,
        reason=reason,
    )
    return org


@transaction.atomic
def org_move(
    *,
    scope: Scope,
    org: Organization,
    new_parent: Organization,
    effective_date: date,
    actor: User,
    reason: str = "",
) -> Organization:
    """Place ``org`` (with its subtree and members) under ``new_parent`` (调整隶属关系)."""
    org, new_parent = _fresh(org), _fresh(new_parent)
    _covers_from_above(scope, org)
    _covers(scope, new_parent)
    if org.depth == 1:
        raise ApplicationError("县区委不能调整隶属关系。")
    if new_parent.path.startswith(org.path):
        raise ApplicationError("不能把组织调整到它自己的下级组织之下。", field="parent")
    if not new_parent.is_active:
        raise ApplicationError(f"“{new_parent.name}”已撤销。", field="parent")
    if new_parent.type_code not in _type(org.type_code).allowed_parents:
        raise ApplicationError(
            f"“{_type(org.type_code).name}”不能设在“{new_parent.name}”之下。", field="parent"
        )
    old_parent = Organization.objects.get_parent(org)
    Organization.objects.move(org, new_parent, pos="sorted-child")
    org = Organization.objects.get(pk=org.pk)
    _history(
        org,
        OrganizationChange.Action.MOVE,
        before={"parent": old_parent.name},
        after={"parent": new_parent.name},
        actor=actor,
        effective_date=effective_date,
        reason=reason,
    )
    return org


@transaction.atomic
def org_dissolve(
    *, scope: Scope, org: Organization, effective_date: date, actor: User, reason: str
) -> Organization:
    """Dissolve an organization (撤销). Its members and sub-organizations must be placed first."""
    org = _fresh(org)
    _covers_from_above(scope, org)
    if org.depth == 1:
        raise ApplicationError("县区委不能撤销。")
    if not org.is_active:
        raise ApplicationError("该组织已撤销。")
    if not (reason or "").strip():
        raise ApplicationError("请填写撤销原因。", field="reason")
    if Organization.objects.get_children(org).filter(is_active=True).exists():
        raise ApplicationError("请先撤销或调整其下级组织。")
    remaining = org.members.filter(  # the reverse relation: this app does not import members
        party_status_code__in=codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    ).count()
    if remaining:
        raise ApplicationError(f"该组织还有 {remaining} 名党员，请先将党员编入其他党支部。")
    posts_end_for_org(org=org, ended_at=effective_date, reason="组织撤销")
    org.is_active, org.dissolved_at = False, effective_date
    org.save(update_fields=["is_active", "dissolved_at"])
    _history(
        org,
        OrganizationChange.Action.DISSOLVE,
        before={"is_active": True},
        after={"is_active": False},
        actor=actor,
        effective_date=effective_date,
        reason=reason.strip(),
    )
    return org


def _members_move(source: Organization, target: Organization) -> int:
    """Every member of ``source`` joins ``target`` (their organization relationship follows
    the merge), through the reverse relation: this app does not import members."""
    return source.members.update(org=target, updated_at=timezone.now())


@transaction.atomic
def org_merge(
    *,
    scope: Scope,
    source: Organization,
    target: Organization,
    effective_date: date,
    actor: User,
    reason: str,
) -> Organization:
    """Merge ``source`` into ``target`` (合并): its members and sub-organizations move to
    ``target``, then ``source`` is dissolved. Both must be of the same type."""
    source, target = _fresh(source), _fresh(target)
    _covers_from_above(scope, source)
    _covers(scope, target)
    if source.pk == target.pk:
        raise ApplicationError("不能与自身合并。", field="target")
    if source.type_code != target.type_code:
        raise ApplicationError("只能合并同类型的组织。", field="target")
    if not target.is_active:
        raise ApplicationError(f"“{target.name}”已撤销。", field="target")
    if target.path.startswith(source.path):
        raise ApplicationError("不能合并到自己的下级组织。", field="target")
    moved = _members_move(source, target)
    for child in Organization.objects.get_children(source).filter(is_active=True):
        org_move(
            scope=scope,
            org=child,
            new_parent=target,
            effective_date=effective_date,
            actor=actor,
            reason=f"随“{source.name}”并入“{target.name}”",
        )
    source = Organization.objects.get(pk=source.pk)
    _history(
        source,
        OrganizationChange.Action.MERGE,
        before={"name": source.name},
        after={"merged_into": target.name, "members_moved": moved},
        actor=actor,
        effective_date=effective_date,
        reason=reason,
    )
    return org_dissolve(
        scope=scope,
        org=source,
        effective_date=effective_date,
        actor=actor,
        reason=reason or f"并入“{target.name}”",
    )
