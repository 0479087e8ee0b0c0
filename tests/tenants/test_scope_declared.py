"""Every county model that belongs to an organization or a member declares, once, how a
scope filters it (``scope_fields`` + a scoped manager), so selectors and endpoints ask
``visible_to(scope)`` instead of writing the filter again."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models

from tenants.access.querysets import ScopedMixin, ScopeFields

# Rows nobody lists by organization: history written by triggers and logs read only on
# the audit pages (the administrator's), and link tables reached through their owner.
NOT_LISTED = {
    "members.PersonalDataAccess",  # the read-access log: audit page only
}


def _owned(model: type[models.Model]) -> bool:
    targets = {"orgs.Organization", "members.Member"}
    return any(
        f.is_relation and f.many_to_one and f.related_model._meta.label in targets
        for f in model._meta.get_fields()
        if getattr(f, "related_model", None) is not None
    )


def _county_models() -> list[type[models.Model]]:
    labels = {a.split(".")[-1] for a in settings.TENANT_APPS if a.startswith("tenants.")}
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in labels
        and not m._meta.label.endswith("Event")  # pghistory's event tables
        and m._meta.label not in NOT_LISTED
    ]


def test_every_owned_model_declares_its_scope():
    missing = [
        m._meta.label
        for m in _county_models()
        if _owned(m)
        and not (
            isinstance(getattr(m, "scope_fields", None), ScopeFields)
            and isinstance(m._default_manager.all(), ScopedMixin)
        )
    ]
    assert not missing, "declare scope_fields and a scoped manager: " + ", ".join(missing)


def test_declared_paths_lead_where_they_say():
    for m in _county_models():
        fields = getattr(m, "scope_fields", None)
        if fields is None:
            continue
        if fields.org:
            target = m
            for part in fields.org.split("__"):
                target = target._meta.get_field(part).related_model
            assert target._meta.label == "orgs.Organization", m._meta.label
        if fields.own and fields.own != "pk":
            target = m
            for part in fields.own.split("__"):
                target = target._meta.get_field(part).related_model
            assert target._meta.label == "members.Member", m._meta.label
        if fields.own_user:
            target = m
            for part in fields.own_user.split("__"):
                target = target._meta.get_field(part).related_model
            assert target._meta.label == "accounts.User", m._meta.label
