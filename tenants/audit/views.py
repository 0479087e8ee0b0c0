"""The county's audit pages (三员分立: the auditor's, not the administrator's): the audit
trail of every write (审计日志) and the security events (安全审计), each readable and
exportable. The security administrator reads the security events too
(``shared.accounts.roles``)."""

from __future__ import annotations

from io import BytesIO

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from openpyxl import Workbook
from openpyxl.styles import Font

from shared.accounts import security_log
from shared.accounts.roles import Duty, roles_with
from tenants.access.scope import Scope
from tenants.audit.forms import AuditFilterForm
from tenants.audit.selectors import TRACKED, AuditRow, audit_rows
from zhdj.formats import beijing
from zhdj.spreadsheets import append
from zhdj.web.access import scoped_page
from zhdj.web.exports import exported, xlsx_download
from zhdj.web.query import error_lines, filter_status, refuse_export

PAGE = 50
EXPORT_LIMIT = 20_000
AUDITORS = roles_with(Duty.AUDIT_TRAIL)


@never_cache
@scoped_page(AUDITORS)
def audit_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Everything the county's history holds (the role is the guard; the auditor reads
    the whole county)."""
    form = AuditFilterForm(request.GET or None)
    status = filter_status(form)
    kind, page, rows = "", 1, []
    if status == 200:
        # An unknown kind was "every kind": refused above instead of widened.
        kind = form.cleaned_data["kind"] if form.is_bound else ""
        page = form.cleaned_data["page"] if form.is_bound else 1
        rows = audit_rows(kind or None, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return render(
        request,
        "audit/list.html",
        {
            "rows": rows[:PAGE],
            "has_next": len(rows) > PAGE,
            "page": page,
            "kind": kind,
            "kinds": [(k, v[2]) for k, v in TRACKED.items()],
            "errors": error_lines(form) if status != 200 else [],
        },
        status=status,
    )


def _workbook(rows: list[AuditRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    append(ws, ["时间", "操作人", "IP 地址", "对象", "操作", "变更内容", "页面地址"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        changes = "；".join(
            f"{label}：{before or '（空）'} → {after or '（空）'}"
            for label, before, after in r.changes
        )
        append(
            ws,
            [beijing(r.at), r.user, r.ip, f"{r.kind} {r.object_label}", r.action, changes, r.url],
        )
    for column, width in zip("ABCDEFG", (20, 14, 16, 30, 8, 60, 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@never_cache
@exported("审计日志")
@scoped_page(AUDITORS)
def audit_export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The audit trail (filtered by kind) as a workbook, newest first; the export is a
    security event itself."""
    form = AuditFilterForm(request.GET or None)
    if filter_status(form) != 200:
        return refuse_export(request, form, title="审计日志", back=reverse("audit:list"))
    kind = form.cleaned_data["kind"] if form.is_bound else ""
    body = _workbook(audit_rows(kind or None, limit=EXPORT_LIMIT))
    detail = f"对象：{TRACKED[kind][2] if kind else '全部'}"
    return xlsx_download(body, name="audit", chinese_name="审计日志", detail=detail)


@never_cache
@scoped_page(roles_with(Duty.SECURITY_EVENTS))
def events(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """安全审计: the county's security events."""
    return security_log.events_page(
        request, export_url=reverse("audit:events_export"), site="本区县"
    )


@never_cache
@exported("安全审计")
@scoped_page(roles_with(Duty.SECURITY_EVENTS_EXPORT))
def events_export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return security_log.events_export(request, back=reverse("audit:events"))
