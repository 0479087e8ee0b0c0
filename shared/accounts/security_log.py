"""The security events page (安全审计): filter, page, export, and the retention purge.

The same page serves a county (``tenants.audit``, the county's own events) and the city
site (``shared.accounts.security_views``, the city and ops users' events): the events of
the schema the request came to. The auditor reads and exports; the security
administrator reads (``shared.accounts.roles``). An export is itself a security event.

Retention (等保: audit records kept at least six months): a daily task deletes, in every
schema, the events older than ``ZHDJ_AUDIT_RETENTION_DAYS`` (at least 180). The database
trigger refuses any other deletion and any younger row even to the purge
(``accounts`` migration 0005).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context
from openpyxl import Workbook
from openpyxl.styles import Font

from shared.accounts.events import Kind
from shared.accounts.models import SecurityEvent
from shared.accounts.roles import Duty, has_duty
from zhdj.formats import beijing
from zhdj.spreadsheets import append
from zhdj.web.exports import xlsx_download
from zhdj.web.forms import DateInput
from zhdj.web.query import PageField, filter_status, filtered_page, refuse_export

log = logging.getLogger(__name__)
PAGE = 50
EXPORT_LIMIT = 50_000  # rows in one workbook; the filter narrows a larger period


class SecurityEventFilterForm(forms.Form):
    kind = forms.ChoiceField(label="事件", required=False)
    user = forms.CharField(label="用户名", required=False, max_length=64)
    date_from = forms.DateField(
        label="开始日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请输入有效的日期。"},
    )
    date_to = forms.DateField(
        label="结束日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请输入有效的日期。"},
    )
    page = PageField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部"), *Kind.choices]
        self.fields["kind"].error_messages["invalid_choice"] = "请选择列表中的事件。"

    def clean_user(self) -> str:
        return self.cleaned_data["user"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events(data: dict[str, Any]) -> QuerySet[SecurityEvent]:
    """The events of the current schema matching a valid filter, newest first."""
    qs = SecurityEvent.objects.all()
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("user"):
        qs = qs.filter(Q(username__iexact=data["user"]) | Q(username__icontains=data["user"]))
    if data.get("date_from"):
        qs = qs.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    return qs.order_by("-at", "-id")


def workbook(rows: QuerySet[SecurityEvent]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "安全审计"
    append(ws, ["时间", "事件", "用户名", "IP 地址", "页面地址", "对象", "说明", "结果"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e in rows[:EXPORT_LIMIT]:
        append(
            ws,
            [
                beijing(e.at),
                e.get_kind_display(),
                e.username,
                e.ip or "",
                e.path,
                e.target,
                e.detail,
                "成功" if e.ok else "失败",
            ],
        )
    for column, width in zip("ABCDEFGH", (20, 16, 16, 16, 30, 30, 40, 8), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def events_page(request: HttpRequest, *, export_url: str, site: str) -> HttpResponse:
    """The page: the filter form and one page of events (a refused filter: 400, no rows)."""
    form = SecurityEventFilterForm(request.GET or None)
    context, status = filtered_page(request, form, events, per_page=PAGE)
    return render(
        request,
        "accounts/security_events.html",
        {
            **context,
            "export_url": export_url,
            "may_export": has_duty(request.user, Duty.SECURITY_EVENTS_EXPORT),
            "site": site,
            "retention_days": settings.ZHDJ_AUDIT_RETENTION_DAYS,
        },
        status=status,
    )


def events_export(request: HttpRequest, *, back: str) -> HttpResponse:
    """The filtered events as a workbook (the views are ``exported``: the export is a
    security event itself)."""
    form = SecurityEventFilterForm(request.GET or None)
    if filter_status(form) != 200:
        return refuse_export(request, form, title="安全审计", back=back)
    data = form.cleaned_data if form.is_bound else {}
    rows = events(data)
    body = workbook(rows)
    shown = {**data, "kind": Kind(data["kind"]).label if data.get("kind") else ""}
    described = "，".join(
        f"{form.fields[k].label}：{v}" for k, v in shown.items() if v and k != "page"
    )
    return xlsx_download(
        body, name="security-events", chinese_name="安全审计", detail=f"条件：{described or '全部'}"
    )


# --- retention --------------------------------------------------------------------------


def retention_cutoff(now: datetime | None = None) -> datetime:
    days = max(180, int(settings.ZHDJ_AUDIT_RETENTION_DAYS))
    return (now or timezone.now()) - timedelta(days=days)


def purge_schema(cutoff: datetime) -> int:
    """Delete the current schema's events older than ``cutoff`` (the trigger lets the
    purge through for rows older than 180 days only, and only with the flag set)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL zhdj.audit_purge = 'on'")
        deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        # Off again at once: inside an outer transaction, SET LOCAL would last until it ends.
        cursor.execute("SET LOCAL zhdj.audit_purge = 'off'")
    return deleted


def purge_all(now: datetime | None = None) -> dict[str, int]:
    """The retention purge in public and every county schema: schema → rows deleted."""
    cutoff = retention_cutoff(now)
    # Counties whose schema is built (a suspended one keeps its log and its retention); one
    # still being onboarded has no table yet, and the template no events.
    Tenant = get_tenant_model()
    built = Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED])
    schemas = ["public", *built.values_list("schema_name", flat=True)]
    done: dict[str, int] = {}
    for schema in dict.fromkeys(schemas):
        try:
            with schema_context(schema):
                done[schema] = purge_schema(cutoff)
        except Exception:  # one county's failure does not keep the others' purge
            log.exception("security event purge failed in %s", schema)
    return done
