"""How the audit log reads a recorded value (审计日志的显示值): the label of a model
choice or of a code-table code, the name of a referenced object, 是/否, Beijing time —
never the raw code or id that the trigger stored.

The code-table fields of the tracked models are declared here once (a field named
``category_code`` is a member category on a member and an organization category on an
organization). Referenced objects are resolved for a whole page at once: one query per
referenced model, whatever the number of rows (:class:`References`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_datetime

from shared.accounts.models import User
from shared.standards.models import CodeTable, OrganizationType, Permission
from shared.standards.selectors import code_name
from zhdj.formats import beijing

# (app_label.Model, field) → the code table its values come from.
CODE_TABLES: dict[tuple[str, str], CodeTable] = {
    ("members.Member", "ethnicity_code"): CodeTable.ETHNICITY,
    ("members.Member", "education_code"): CodeTable.EDUCATION,
    ("members.Member", "category_code"): CodeTable.MEMBER_CATEGORY,
    ("members.Member", "occupation_code"): CodeTable.OCCUPATION,
    ("members.Member", "party_status_code"): CodeTable.PARTY_STATUS,
    ("members.Member", "lost_contact_code"): CodeTable.LOST_CONTACT,
    ("members.MemberStatusChange", "from_status"): CodeTable.PARTY_STATUS,
    ("members.MemberStatusChange", "to_status"): CodeTable.PARTY_STATUS,
    ("members.MemberStatusChange", "lost_contact_code"): CodeTable.LOST_CONTACT,
    ("access.Post", "post_code"): CodeTable.POST,
    ("access.PostGrantOverride", "post_code"): CodeTable.POST,
    ("orgs.Organization", "category_code"): CodeTable.ORG_CATEGORY,
    ("orgs.Organization", "unit_situation_code"): CodeTable.UNIT_SITUATION,
}
# Fields holding the code of a public model other than a code table.
NAMED_CODES: dict[tuple[str, str], type[models.Model]] = {
    ("orgs.Organization", "type_code"): OrganizationType,
    # A post permission override names the permission (权限项) by its code.
    ("access.PostGrantOverride", "permission"): Permission,
}
# A stored field label that says nothing to a reader, replaced by what the value is.
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("members.MemberStatusChange", "from_status"): "原党籍状态",
    ("members.MemberStatusChange", "to_status"): "新党籍状态",
    ("members.MemberStatusChange", "lost_contact_code"): "失联情形",
    ("members.MemberStatusChange", "actor"): "操作人",
}


def model_key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def field_label(model: type[models.Model], field: models.Field) -> str:
    return FIELD_LABELS.get((model_key(model), field.name)) or str(field.verbose_name)


def _name_field(model: type[models.Model]) -> str:
    if model is User or issubclass(model, User):
        return "full_name"
    return "name"


class References:
    """The names of the objects the values of one page refer to, fetched together."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[Any]] = {}
        self._names: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model], value: Any) -> None:
        if value not in (None, ""):
            self._wanted.setdefault(model, set()).add(value)

    def want_field(self, model: type[models.Model], name: str, value: Any) -> None:
        """Note ``value`` of the recorded column ``name`` if it refers to an object."""
        field = _field(model, name)
        if field is None:
            return
        if field.many_to_one or field.one_to_one:
            self.want(field.related_model, value)
        elif (model_key(model), field.name) in NAMED_CODES:
            self.want(NAMED_CODES[(model_key(model), field.name)], value)

    def resolve(self) -> None:
        """One query per referenced model for everything noted so far."""
        for model, values in self._wanted.items():
            known = self._names.setdefault(model, {})
            missing = values - set(known)
            if not missing:
                continue
            key = "code" if model in NAMED_CODES.values() else "pk"
            known.update(
                (str(k), str(v))
                for k, v in model._default_manager.filter(**{f"{key}__in": missing}).values_list(
                    key, _name_field(model)
                )
            )

    def name(self, model: type[models.Model], value: Any) -> str | None:
        return self._names.get(model, {}).get(str(value))


def _field(model: type[models.Model], name: str) -> models.Field | None:
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)  # type: ignore[return-value]
        except FieldDoesNotExist:
            continue
    return None


def display(model: type[models.Model], field: models.Field, value: Any, refs: References) -> str:
    """The recorded ``value`` of ``field`` as a reader understands it."""
    key = (model_key(model), field.name)
    shown: str | None
    if value is None or value == "":
        shown = ""
    elif key in CODE_TABLES:
        shown = code_name(CODE_TABLES[key], str(value), default=str(value))
    elif key in NAMED_CODES:
        shown = refs.name(NAMED_CODES[key], value)
    elif field.many_to_one or field.one_to_one:
        shown = refs.name(field.related_model, value) or f"（已删除的{field.verbose_name}）"
    elif field.choices:
        shown = str(dict(field.flatchoices).get(value, value))
    elif isinstance(field, models.BooleanField):
        shown = "是" if value else "否"
    elif isinstance(field, models.DateTimeField):
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        shown = beijing(moment) if moment else None
    else:
        shown = None
    return str(value) if shown is None else shown


def want_all(model: type[models.Model], diffs: Iterable[dict[str, Any]], refs: References) -> None:
    for diff in diffs:
        for name, pair in diff.items():
            for value in pair:
                refs.want_field(model, name, value)
