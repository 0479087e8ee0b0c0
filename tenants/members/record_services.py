"""Writes to a member's extended sets (职务, 奖惩, 家庭成员, 党内经历, 困难情况, 出国出境)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members import completeness
from tenants.members.models import Member
from tenants.members.records import RECORD_SETS, FamilyRecord, RecordSet
from zhdj.errors import ApplicationError
from zhdj.validation.names import NameField, TextField
from zhdj.web.forms import DateInput


def record_set(slug: str) -> RecordSet:
    try:
        return RECORD_SETS[slug]
    except KeyError:
        raise ApplicationError("未知的信息集。") from None


def record_form_class(slug: str) -> type[forms.ModelForm]:
    spec = record_set(slug)
    widgets = {
        f: DateInput()
        for f in spec.fields
        if spec.model._meta.get_field(f).get_internal_type() == "DateField"
    }
    # A person's name (家庭成员姓名) follows the name rule, other text refuses control and
    # format characters: zhdj.validation.names, the same rule as the member's own name.
    text_classes: dict[str, type[forms.Field]] = {
        f: NameField if f == "name" and spec.model is FamilyRecord else TextField
        for f in spec.fields
        if spec.model._meta.get_field(f).get_internal_type() in ("CharField", "TextField")
        and not spec.model._meta.get_field(f).choices
    }
    return forms.modelform_factory(
        spec.model,
        fields=spec.fields,
        widgets=widgets,
        field_classes=text_classes,
        formfield_callback=_formfield,
    )


def _formfield(db_field: Any, **kwargs: Any) -> forms.Field | None:
    """Django's form field, with the project's "——" for "not chosen" instead of "---------"."""
    field = db_field.formfield(**kwargs)
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = "——"
    elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
        field.choices = [("", "——"), *list(field.choices)[1:]]
    return field


def _check(scope: Scope, member: Member) -> None:
    scope.require(Perm.MEMBERS_EDIT, member.org, message="无权维护该党员的信息。")


@transaction.atomic
def record_add(*, scope: Scope, member: Member, slug: str, data: dict[str, Any]) -> Any:
    """Validate ``data`` with the set's form and add a row to ``member``'s set."""
    _check(scope, member)
    spec = record_set(slug)
    form = record_form_class(slug)(data)
    if not form.is_valid():
        errors = {k: list(v) for k, v in form.errors.items()}
        field, messages = next(iter(errors.items()))
        raise ApplicationError(messages[0], field=field, extra={"errors": errors})
    if spec.period:
        start, end = (form.cleaned_data.get(f) for f in spec.period)
        if start and end and end < start:
            label = spec.model._meta.get_field(spec.period[1]).verbose_name
            raise ApplicationError(f"{label}不能早于开始日期。", field=spec.period[1])
    row = form.save(commit=False)
    row.member = member
    row.save()
    return row


@transaction.atomic
def record_remove(*, scope: Scope, member: Member, slug: str, record_id: int) -> None:
    _check(scope, member)
    deleted, _ = record_set(slug).model.objects.filter(member=member, pk=record_id).delete()
    if not deleted:
        raise ApplicationError("记录不存在。")


def record_rows(member: Member) -> list[dict[str, Any]]:
    """Every set of ``member`` with its rows, for the member page."""
    out = []
    for slug, spec in RECORD_SETS.items():
        labels = [str(spec.model._meta.get_field(f).verbose_name) for f in spec.fields]
        rows = [
            {"id": r.pk, "cells": [_display(r, f) for f in spec.fields]}
            for r in spec.model.objects.filter(member=member)
        ]
        out.append(
            {"slug": slug, "title": spec.model._meta.verbose_name, "labels": labels, "rows": rows}
        )
    return out


def _display(row: Any, field: str) -> str:
    getter = getattr(row, f"get_{field}_display", None)
    value = getter() if getter else getattr(row, field)
    return "" if value is None else str(value)


# 信息完整度 is defined once (tenants.members.completeness), shared with the dashboard.
member_completeness = completeness.member_completeness
