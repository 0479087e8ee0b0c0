"""Writes to the county's organization tree."""

from __future__ import annotations

from django.db import transaction

from shared.customers.models import Tenant
from shared.standards.models import OrganizationType
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError


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
    return Organization.objects.add_root(
        create_kwargs={
            "name": f"中共{tenant.name}委员会",
            "short_name": f"{tenant.name}委",
            "type_code": "county_committee",
            "city_org_id": city_org_id,
        }
    )


@transaction.atomic
def org_create(*, parent: Organization, name: str, type_code: str) -> Organization:
    """A new organization under ``parent``; the type must be allowed there."""
    org_type = OrganizationType.objects.filter(code=type_code).first()
    if org_type is None:
        raise ApplicationError(f"未知的组织类型“{type_code}”。", field="type_code")
    if parent.type_code not in org_type.allowed_parents:
        raise ApplicationError(f"“{org_type.name}”不能设在“{parent.name}”之下。", field="parent")
    name = name.strip()
    if not name:
        raise ApplicationError("请填写组织名称。", field="name")
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    if Organization.objects.get_children(parent).filter(name=name).exists():
        raise ApplicationError(f"“{parent.name}”下已有名为“{name}”的组织。", field="name")
    return Organization.objects.add_child(
        parent, create_kwargs={"name": name, "type_code": type_code}
    )
