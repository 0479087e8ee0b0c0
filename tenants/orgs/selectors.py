"""Reads of the organization tree."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.orgs.models import Organization


def org_tree() -> QuerySet[Organization]:
    """Every active organization in tree order (materialized path)."""
    return Organization.objects.filter(is_active=True).order_by("path")


def org_root() -> Organization | None:
    return Organization.objects.get_root_nodes().first()
