"""Reads of the audit trail (审计日志) written by the database triggers (django-pghistory).

Rows are snapshots taken by triggers on every insert, update and delete of the tracked
tables — also by ``QuerySet.update`` and raw SQL — in append-only tables (updates and
deletes of audit rows are refused by a trigger). The request middleware attaches the
user and URL as context. Values read as labels and names (``labels``): the page's
referenced objects are resolved together, one query per referenced model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from pghistory.models import MiddlewareEvents

from shared.accounts.models import User
from tenants.audit.labels import References, display, field_label, want_all
from zhdj.pii.fields import EncryptedTextField

# What the administrator can browse: label → tracked model.
TRACKED = {
    "member": ("members", "Member", "党员"),
    "status": ("members", "MemberStatusChange", "党籍变动"),
    "post": ("access", "Post", "党内职务"),
    "post_grant": ("access", "PostGrantOverride", "职务权限调整"),
    "org": ("orgs", "Organization", "党组织"),
}
HIDDEN = frozenset(
    {
        "id_number_index",
        "phone_index",
        "name_pinyin",
        "name_initials",
        "updated_at",
        "created_at",
        "path",
        "numchild",
        "depth",
    }
)
LABELS = {"insert": "新增", "update": "修改", "delete": "删除"}


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    kind: str
    action: str
    object_id: str
    object_label: str
    user: str
    url: str
    ip: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _event_model(app_label: str, model_name: str) -> Any:
    return apps.get_model(app_label, f"{model_name}Event")


def audit_rows(kind: str | None = None, *, limit: int = 50, offset: int = 0) -> list[AuditRow]:
    kinds = [kind] if kind in TRACKED else list(TRACKED)
    models = {k: apps.get_model(*TRACKED[k][:2]) for k in kinds}
    events = MiddlewareEvents.objects.across(
        *(_event_model(*TRACKED[k][:2]) for k in kinds)
    ).order_by("-pgh_created_at", "-pgh_id")[offset : offset + limit]
    events = list(events)
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    names = dict(
        User.objects.filter(pk__in=[u for u in user_ids if u]).values_list("pk", "full_name")
    )
    by_event_model = {f"{a}.{m}Event": k for k, (a, m, _) in TRACKED.items()}
    refs = References()
    for e in events:  # note every referenced object of the page first: one query per model
        model = models.get(by_event_model.get(e.pgh_model, ""))
        if model is not None:
            want_all(model, [e.pgh_diff or {}], refs)
            data = e.pgh_data or {}
            if "name" not in data and "member_id" in data:
                refs.want_field(model, "member_id", data["member_id"])
            if "name" not in data and "permission" in data:  # a post permission override
                refs.want_field(model, "permission", data["permission"])
    refs.resolve()
    rows = []
    for e in events:
        k = by_event_model.get(e.pgh_model, "")
        model = models.get(k)
        context = e.pgh_context or {}
        rows.append(
            AuditRow(
                at=e.pgh_created_at,
                kind=TRACKED[k][2] if k else "其他",
                action=LABELS.get(e.pgh_label, "变更"),
                object_id=str(e.pgh_obj_id),
                object_label=_object_label(model, e.pgh_data or {}, refs),
                # Written in this schema on behalf of another county's user (a transfer
                # accepted there): named, never an id of a user of another schema.
                user=context.get("actor_name")
                or names.get(context.get("user"), "系统" if not context else "—"),
                url=context.get("url", ""),
                ip=context.get("ip") or "",
                changes=_changes(model, e.pgh_diff or {}, refs) if model else [],
            )
        )
    return rows


def _object_label(model: Any, data: dict[str, Any], refs: References) -> str:
    """The object's name, else (a status change, a post) the name of its member."""
    if "name" in data:
        return str(data["name"])
    if model is not None and "member_id" in data:
        return display(model, model._meta.get_field("member"), data["member_id"], refs)
    if model is not None and "post_code" in data and "permission" in data:
        post = display(model, model._meta.get_field("post_code"), data["post_code"], refs)
        perm = display(model, model._meta.get_field("permission"), data["permission"], refs)
        granted = {True: "授予", False: "取消"}.get(data.get("granted"), "")
        return f"{post} · {perm}" + (f"（{granted}）" if granted else "")
    return ""


def _changes(
    model: Any, diff: dict[str, list[Any]], refs: References
) -> list[tuple[str, str, str]]:
    out = []
    for name, (before, after) in diff.items():
        if name in HIDDEN:
            continue
        try:
            field = model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:  # a column the model no longer has: not shown raw
            continue
        label = field_label(model, field)
        if isinstance(field, EncryptedTextField):
            out.append((label, "（加密）", "（加密，已变更）"))
        else:
            out.append(
                (label, display(model, field, before, refs), display(model, field, after, refs))
            )
    return out
