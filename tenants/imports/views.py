"""Import and export pages (党员信息导入导出), all through the user's Scope.

Importing needs a post carrying members.edit (else 403); a job is seen only by its
creator (anyone else gets 404). Exporting gives the list the user's scope holds (a member
without a post: their own record, masked).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.imports.export import errors_workbook, members_export
from tenants.imports.forms import MemberImportForm
from tenants.imports.jobs import (
    import_job_cancel,
    import_job_confirm,
    import_job_start,
    job_progress,
)
from tenants.imports.models import ImportJob
from tenants.imports.xlsx_template import template_workbook
from tenants.members.forms import MemberSearchForm
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.client import client_ip
from zhdj.web.exports import exported
from zhdj.web.query import filter_status, refuse_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 200


def _job(request: HttpRequest, job_id: object) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, created_by=request.user).first()
    if job is None:
        raise Http404("导入任务不存在")
    return job


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@scoped_page(permission=Perm.MEMBERS_EDIT)
def member_import(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = import_job_start(scope=scope, user=request.user, upload=upload)
        return redirect("imports:job", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "imports/member_import.html", {"form": form, "jobs": jobs})


@never_cache
@scoped_page(permission=Perm.MEMBERS_EDIT)
def member_template(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return _xlsx(template_workbook(scope), "党员信息导入模板.xlsx")


@never_cache
@exported("党员信息")
@scoped_page()
def member_export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The filtered list as a workbook. Masked: a plain GET. Full values (``full=1``): a page
    asking for the password again, then a POST (the export is logged either way)."""
    if not scope.has(Perm.MEMBERS_VIEW) and scope.member_id is None:
        # As the list: a login with neither a post nor a record of its own (the auditor,
        # the security administrator) has no member to export.
        raise AccessDenied("您没有可导出的党员信息。")
    full = request.GET.get("full") == "1"
    if full and not scope.reveals_any:
        raise PermissionDenied
    form = MemberSearchForm(request.GET or None, scope=scope)
    if filter_status(form) != 200:
        back = request.GET.copy()
        back.pop("full", None)
        list_url = f"{reverse('members:list')}?{back.urlencode()}"
        return refuse_export(request, form, title="导出党员信息", back=list_url)
    if full and request.method != "POST":
        return render(request, "imports/export_full.html", {"query": request.GET.urlencode()})
    try:
        result = members_export(
            scope=scope,
            user=request.user,
            query=request.GET,
            full=full,
            password=request.POST.get("password", ""),
            ip=client_ip(request),
        )
    except ApplicationError as exc:
        if exc.field != "password":
            raise PermissionDenied from None
        context = {"query": request.GET.urlencode(), "error": exc.message}
        return render(request, "imports/export_full.html", context, status=400)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"党员信息{'（完整）' if full else ''}-{stamp}.xlsx"
    response = FileResponse(result.file, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@scoped_page()  # the creator's own job, also after losing the post
def job_detail(request: HttpRequest, job_id: object, *, scope: Scope) -> HttpResponse:
    job = _job(request, job_id)
    percent, step = job_progress(job)
    partial = bool(request.headers.get("HX-Request"))
    context = {
        "job": job,
        "percent": percent,
        "step": step,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_hidden": max(job.error_count - ERRORS_SHOWN, 0),
        "may_issue": scope.has(Perm.ACCOUNTS_MANAGE),
    }
    return render(request, "imports/_job.html" if partial else "imports/job.html", context)


@require_POST
@scoped_page(permission=Perm.MEMBERS_EDIT)
def job_confirm(request: HttpRequest, job_id: object, *, scope: Scope) -> HttpResponse:
    job = _job(request, job_id)
    try:
        import_job_confirm(job, scope=scope)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", job_id=job.pk)


@require_POST
@scoped_page()
def job_cancel(request: HttpRequest, job_id: object, *, scope: Scope) -> HttpResponse:
    """The creator may drop their job even after losing the post that let them import."""
    job = _job(request, job_id)
    try:
        import_job_cancel(job, scope=scope)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("imports:job", job_id=job.pk)
    messages.success(request, "已取消导入，上传的文件已删除。")
    return redirect("imports:members")


@never_cache
@exported("导入错误清单")
@scoped_page()  # the creator's own job, also after losing the post
def job_errors(request: HttpRequest, job_id: object, *, scope: Scope) -> HttpResponse:
    job = _job(request, job_id)
    return _xlsx(errors_workbook(job.errors), "导入错误清单.xlsx")
