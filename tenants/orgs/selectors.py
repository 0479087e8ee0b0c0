"""Reads of the organization tree, and the checks of domain-rules §5 as warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import codes_flagged
from tenants.orgs.models import Organization

TERM_WARNING_DAYS = 90


def org_tree() -> QuerySet[Organization]:
    """Every active organization in tree order (materialized path)."""
    return Organization.objects.filter(is_active=True).order_by("path")


def org_tree_version() -> int:
    """A number that changes with every write to any organization of the county: the
    newest audit event (the trigger records every insert, update and delete)."""
    from django.apps import apps
    from django.db.models import Max

    event = apps.get_model("orgs", "OrganizationEvent")
    return event.objects.aggregate(v=Max("pgh_id"))["v"] or 0


def org_options(orgs: QuerySet[Organization]) -> list[tuple[int, str, int]]:
    """(id, name, depth) of ``orgs`` in tree order, for organization pickers."""
    return list(orgs.order_by("path").values_list("id", "name", "depth"))


def org_root() -> Organization | None:
    return Organization.objects.get_root_nodes().first()


@dataclass(frozen=True)
class OrgWarning:
    org_id: int
    org_name: str
    message: str


def org_warnings(orgs: QuerySet[Organization], *, today: date | None = None) -> list[OrgWarning]:
    """§5 checks over ``orgs``: member counts against the type's limits, term expiry."""
    today = today or timezone.localdate()
    types = {t.code: t for t in OrganizationType.objects.all()}
    on_roll = Q(members__party_status_code__in=codes_flagged(CodeTable.PARTY_STATUS, "on_roll"))
    rows = orgs.filter(is_active=True).annotate(
        full=Count("members", filter=on_roll & Q(members__category_code="full")),
        total=Count("members", filter=on_roll),
    )
    warnings: list[OrgWarning] = []
    for org in rows:
        t = types.get(org.type_code)
        if t is None:
            continue
        if t.min_full_members and org.full < t.min_full_members:
            warnings.append(
                OrgWarning(
                    org.pk,
                    org.name,
                    f"正式党员 {org.full} 名，少于{t.name}应有的 {t.min_full_members} 名。",
                )
            )
        subtree_total = org.total if t.holds_members else _subtree_total(org)
        if t.normal_max_members and subtree_total > t.normal_max_members:
            warnings.append(
                OrgWarning(
                    org.pk,
                    org.name,
                    f"党员 {subtree_total} 名，"
                    f"超过{t.name}一般不超过 {t.normal_max_members} 名的规定。",
                )
            )
        if org.term_ends_at:
            if org.term_ends_at < today:
                warnings.append(
                    OrgWarning(
                        org.pk, org.name, f"任期已于 {org.term_ends_at:%Y-%m-%d} 届满，应及时换届。"
                    )
                )
            elif org.term_ends_at <= today + timedelta(days=TERM_WARNING_DAYS):
                warnings.append(
                    OrgWarning(
                        org.pk,
                        org.name,
                        f"任期将于 {org.term_ends_at:%Y-%m-%d} 届满，请做好换届准备。",
                    )
                )
    return warnings


def _subtree_total(org: Organization) -> int:
    """Members on the roll in ``org``'s subtree, through the reverse relation (this app
    does not import members)."""
    on_roll = codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    return Organization.objects.filter(path__startswith=org.path).aggregate(
        n=Count("members", filter=Q(members__party_status_code__in=on_roll))
    )["n"]
