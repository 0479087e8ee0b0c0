"""How a scope filters a model, declared once per organization-owned model.

A model names the path to its organization and, where it has one, to the member whose
own row it is::

    class DuesBill(models.Model):
        scope_fields = ScopeFields(org="member__org", own="member")
        objects = ScopedQuerySet.as_manager()

    DuesBill.objects.visible_to(scope)          # what the user may see
    DuesBill.objects.visible_to(scope, Perm.DUES_MANAGE)   # what they may act on

An administrator sees every row; a post holder the rows of organizations in the subtrees
where their posts carry the permission; everyone their own rows. Organizations are
matched by id (a subquery over the small organization table), not by a path join over
the big table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from tenants.access.scope import Scope

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ScopeFields:
    """``org``: the lookup path to the organization ("" when the model is the
    organization); ``own``: the lookup path to the member whose own row it is ("pk" for
    the member itself, None when no member owns a row); ``own_user``: the lookup path to
    the login whose own row it is, for people with no member record yet (an applicant's
    development record); ``permission``: what reading needs (default: seeing members)."""

    org: str | None
    own: str | None = None
    permission: str = "members.view"
    own_user: str | None = None


def path_q(paths: tuple[str, ...], prefix: str = "") -> Q:
    """Rows whose organization path lies under one of ``paths``."""
    if not paths:
        return NOTHING
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def organization_model(model: type[models.Model], lookup: str) -> type[models.Model]:
    """The model at the end of ``lookup`` from ``model`` (no import of the orgs app)."""
    for part in lookup.split("__"):
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]
    return model


class ScopedMixin:
    """``visible_to(scope, permission=None)`` for any queryset of a model that declares
    ``scope_fields``. Organizations themselves are seen while active."""

    model: type[models.Model]

    def visible_to(self, scope: Scope, permission: str | None = None) -> Self:
        fields: ScopeFields = self.model.scope_fields  # type: ignore[attr-defined]
        qs = self.filter(is_active=True) if fields.org == "" else self  # type: ignore[attr-defined]
        if scope.is_admin:
            return qs
        return qs.filter(scope_q(self.model, fields, scope, permission))


def scope_q(
    model: type[models.Model], fields: ScopeFields, scope: Scope, permission: str | None
) -> Q:
    paths = scope.paths(permission or fields.permission)
    q = NOTHING
    if fields.org == "":
        q = path_q(paths)  # dissolved organizations are left out for everyone
    elif fields.org is not None and paths:
        orgs = organization_model(model, fields.org)._base_manager.filter(
            path_q(paths), is_active=True
        )
        q = Q(**{f"{fields.org}__in": orgs.values("id")})
    if fields.own is not None and scope.member_id is not None:
        q |= Q(**{fields.own: scope.member_id})
    if fields.own_user is not None and scope.user_id is not None:
        q |= Q(**{fields.own_user: scope.user_id})
    return q


class ScopedQuerySet(ScopedMixin, models.QuerySet):
    pass


def scoped(queryset_class: type[models.QuerySet]) -> Any:
    """A manager for a model whose queryset has a base of its own (e.g. the tree's)."""
    return type(f"Scoped{queryset_class.__name__}", (ScopedMixin, queryset_class), {})
