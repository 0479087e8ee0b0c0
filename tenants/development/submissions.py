"""Documents the person hands in themself (本人递交材料): the application (入党申请书) and
thought reports (思想汇报), from their own page on a phone.

A document is a file (PDF, JPEG or PNG, checked by content like every development
document, ``documents.check_upload``) or typed text, which is kept as text and also as a
PDF made from it, so that the branch reads, prints and files every one the same way. It
lands on the record (``Submission``), where the branch sees it on the record page; the
branch's post holders get a notification. A thought report handed in counts for the
reminders (``thought_reports.report_due_on``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shared.accounts.models import User
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.documents import CheckedUpload, Upload, check_upload, content_file
from tenants.development.models import DevelopmentRecord, Submission
from tenants.development.steps import development_rules
from tenants.development.thought_reports import branch_holders
from tenants.notifications.services import notification_send
from zhdj.errors import ApplicationError
from zhdj.validation.names import text_problem

TEXT_MAX = 20000


def is_own(scope: Scope, record: DevelopmentRecord) -> bool:
    return (scope.user_id is not None and record.user_id == scope.user_id) or (
        scope.member_id is not None and record.member_id == scope.member_id
    )


def _typed_pdf(record: DevelopmentRecord, kind: str, title: str, text: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "development/submission_pdf.html",
        {
            "record": record,
            "kind": kind,
            "title": title,
            "paragraphs": [p.strip() for p in text.splitlines() if p.strip()],
            "on": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()


def _checked(
    record: DevelopmentRecord, kind: str, file: Any, title: str, text: str
) -> CheckedUpload:
    if file is not None:
        max_mb = development_rules()["development.document_max_mb"]
        return check_upload(Upload(kind, file), max_mb=max_mb, field="file")
    if not text:
        raise ApplicationError(f"请上传{kind}文件，或直接填写{kind}正文。", field="text")
    if len(text) > TEXT_MAX:
        raise ApplicationError(f"正文不能超过 {TEXT_MAX} 字。", field="text")
    for value, label, field in ((title, "标题", "title"), (text, "正文", "text")):
        problem = text_problem(value, label=label)
        if problem:
            raise ApplicationError(problem, field=field)
    content = _typed_pdf(record, kind, title, text)
    name = f"{title or kind}.pdf"
    digest = hashlib.sha256(content).hexdigest()
    return CheckedUpload(kind, name, content, "application/pdf", digest)


@transaction.atomic
def submission_create(
    *,
    scope: Scope,
    record: DevelopmentRecord,
    kind: str,
    actor: User,
    file: Any = None,
    title: str = "",
    text: str = "",
) -> Submission:
    """Hand in ``kind`` for ``record``: the person on their own record, or the branch for
    them (development.manage over the record's branch)."""
    record = DevelopmentRecord.objects.select_for_update().select_related("org").get(pk=record.pk)
    if not is_own(scope, record):
        scope.require(Perm.DEVELOPMENT_MANAGE, record.org, message="无权为该发展对象递交材料。")
    if kind not in Submission.Kind.values:
        raise ApplicationError("请选择材料名称：入党申请书或思想汇报。", field="kind")
    if not record.is_open:
        raise ApplicationError(
            f"档案当前为“{record.get_status_display()}”，不能再递交材料。", field="kind"
        )
    title, text = (title or "").strip()[:100], (text or "").strip()
    checked = _checked(record, kind, file, title, text)
    submission = Submission(
        record=record,
        kind=kind,
        title=title,
        text=text if file is None else "",
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        submitted_on=timezone.localdate(),
        submitted_by=actor,
    )
    submission.file.save("upload", content_file(checked), save=False)
    try:
        submission.save()
    except BaseException:
        submission.file.storage.delete(submission.file.name)
        raise
    transaction.on_commit(lambda: _notify(submission))
    return submission


def _notify(submission: Submission) -> None:
    record = submission.record
    holders = [u for u in branch_holders(record.org_id) if u.pk != submission.submitted_by_id]
    if holders:
        notification_send(
            recipients=holders,
            title=f"{record.name}递交了{submission.kind}",
            body=f"{record.name}（{record.org.name}）于 {submission.submitted_on:%Y-%m-%d} "
            f"递交了{submission.kind}{('：' + submission.title) if submission.title else ''}。",
            url=f"/development/records/{record.pk}/",
            sender=None,
        )
