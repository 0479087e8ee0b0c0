"""The ops page of a county's archives (备份与移交): the list, an archive made now, the
export for a handover (encrypted to the receiver's public key too), and downloads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shared.customers.backup.archive import archives_list
from shared.customers.backup.keys import backup_recipients
from shared.customers.backup.tasks import archive_county
from shared.customers.models import Tenant
from shared.customers.trail import Action, Actor, lifecycle_record
from zhdj.errors import ApplicationError
from zhdj.web.access import OPS, public_page

PURPOSES = {"backup": "备份", "handover": "移交导出"}


class HandoverForm(forms.Form):
    recipient = forms.CharField(
        label="接收方公钥",
        max_length=100,
        help_text="接收方提供的加密公钥；导出文件只有接收方的私钥能打开。",
    )

    def clean_recipient(self) -> str:
        value = self.cleaned_data["recipient"].strip()
        if value.upper().startswith("AGE-SECRET-KEY-"):
            self.data = self.data.copy()
            self.data["recipient"] = ""  # never shown again on the page
            raise forms.ValidationError("这是私钥，不能粘贴在这里；请只填写接收方的公钥。")
        try:
            backup_recipients([value])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        return value


# An offboarded county's archives stay listed and downloadable (nothing new is made).
LISTED = (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED, Tenant.Status.OFFBOARDED)


def _county(tenant_id: int) -> Tenant:
    return get_object_or_404(Tenant, pk=tenant_id, status__in=LISTED)


@public_page(OPS)
def tenant_archives(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = _county(tenant_id)
    form = HandoverForm()
    if request.method == "POST" and not tenant.is_county:
        messages.error(request, f"“{tenant.name}”已注销，不能再备份。")
        return redirect("customers:archives", tenant.pk)
    if request.method == "POST":
        actor = Actor.from_request(request).as_params()
        if request.POST.get("kind") == "handover":
            form = HandoverForm(request.POST)
            if form.is_valid():
                archive_county.delay(
                    tenant.schema_name,
                    purpose="handover",
                    recipients=[form.cleaned_data["recipient"]],
                    actor=actor,
                )
                messages.success(request, f"已开始导出{tenant.name}的移交文件，完成后出现在下表。")
                return redirect("customers:archives", tenant.pk)
        else:
            archive_county.delay(tenant.schema_name, actor=actor)
            messages.success(request, f"已开始备份{tenant.name}，完成后出现在下表。")
            return redirect("customers:archives", tenant.pk)
    items = [
        {
            **item,
            "name": Path(item["path"]).name,
            "label": PURPOSES.get(item["purpose"], "备份"),
            "created": datetime.fromisoformat(item["created_at"]),
        }
        for item in archives_list(tenant.schema_name)
    ]
    return render(
        request,
        "customers/tenant_archives.html",
        {"tenant": tenant, "archives": items, "form": form},
    )


@public_page(OPS)
def tenant_archive_download(request: HttpRequest, tenant_id: int, name: str) -> FileResponse:
    tenant = _county(tenant_id)
    for item in archives_list(tenant.schema_name):
        path = Path(item["path"])
        if path.name == name:
            lifecycle_record(
                Action.ARCHIVE_DOWNLOAD,
                tenant=tenant,
                actor=Actor.from_request(request),
                detail=f"{name}（{PURPOSES.get(item['purpose'], '备份')}，{item['bytes']} 字节）",
            )
            return FileResponse(path.open("rb"), as_attachment=True, filename=name)
    raise Http404("没有这个备份文件")
