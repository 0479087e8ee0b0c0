"""The applicant's own page (issue 16 item 6): the next step and when, and the
application and thought reports handed in from the phone, as a file or typed text,
landing on the record where the branch sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import scope_for
from tenants.development.models import Submission
from tenants.development.services import development_record_link_user
from tenants.development.steps import add_months
from tenants.development.submissions import submission_create
from tenants.development.thought_reports import report_due_on
from tenants.notifications.models import Notification
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from tests.tenants.development.path import PDF, World, walk
from zhdj.errors import AccessDenied, ApplicationError


def _fetch(client, path: str) -> int:  # type: ignore[no-untyped-def]
    """The status of a file download, its stream read (which closes the file)."""
    response = client.get(path)
    if response.streaming:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    return response.status_code


def _activist(w: World):  # type: ignore[no-untyped-def]
    """An activist (step 3 done five months after applying) with their own login."""
    record, dates = walk(w, start=add_months(timezone.localdate(), -8), until=3)
    user = user_create(
        username="applicant_s", full_name=record.name, password=PASSWORD, role=User.Role.APPLICANT
    )
    development_record_link_user(scope=w.branch_scope, record=record, user=user)
    record.refresh_from_db()
    return record, dates, user


def test_a_typed_thought_report_is_kept_as_text_and_pdf_and_counts(
    w, django_capture_on_commit_callbacks
):
    record, _, user = _activist(w)
    before = report_due_on([record])[record.pk]
    with django_capture_on_commit_callbacks(execute=True):
        report = submission_create(
            scope=scope_for(user),
            record=record,
            kind="思想汇报",
            actor=user,
            title="第一季度思想汇报",
            text="敬爱的党组织：\n这一季度我认真学习了党章。",
        )
    assert report.text.startswith("敬爱的党组织") and report.content_type == "application/pdf"
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    last, due = report_due_on([record])[record.pk]
    assert last == timezone.localdate() and due > before[1]
    notice = Notification.objects.get(title__contains="递交了思想汇报")
    assert notice.recipient.username == "branchsec"


def test_a_file_is_checked_by_its_content(w):
    record, _, user = _activist(w)
    with pytest.raises(ApplicationError, match="不是 PDF、JPEG 或 PNG") as exc:
        submission_create(
            scope=scope_for(user),
            record=record,
            kind="入党申请书",
            actor=user,
            file=SimpleUploadedFile("申请书.docx", b"PK\x03\x04 not a pdf"),
        )
    assert exc.value.field == "file"
    with pytest.raises(ApplicationError, match="请上传入党申请书文件") as exc:
        submission_create(scope=scope_for(user), record=record, kind="入党申请书", actor=user)
    assert exc.value.field == "text"
    assert not Submission.objects.exists()
    done = submission_create(
        scope=scope_for(user),
        record=record,
        kind="入党申请书",
        actor=user,
        file=SimpleUploadedFile("申请书.pdf", PDF),
    )
    assert (done.original_name, done.text) == ("申请书.pdf", "")


def test_only_the_person_or_their_branch_hands_in(w):
    record, _, _ = _activist(w)
    member = scope_for(User.objects.get(username="member"))  # a member of the branch, no post
    with pytest.raises(AccessDenied):
        submission_create(
            scope=member, record=record, kind="思想汇报", actor=w.branchsec, text="代交"
        )
    on_behalf = submission_create(
        scope=w.branch_scope, record=record, kind="思想汇报", actor=w.branchsec, text="代交"
    )
    assert on_behalf.submitted_by == w.branchsec


def test_the_applicant_hands_in_on_their_page_and_the_branch_sees_it(w, alpha):
    record, _, _ = _activist(w)
    connection.set_schema_to_public()
    me = logged_in(alpha.host, "applicant_s")
    page = me.get("/development/mine/").content.decode()
    # What comes next, from the step template: step 4 (filing) and 5 (contacts) are next.
    assert "下一步" in page and "第 4 步 报上级党委备案" in page and "办理：党支部" in page
    assert "请输入" not in page  # no password on the applicant's page
    typed = me.post(
        "/development/mine/", {"kind": "思想汇报", "title": "思想汇报", "text": "认真学习。"}
    )
    assert typed.status_code == 302
    bad = me.post(
        "/development/mine/",
        {"kind": "入党申请书", "file": SimpleUploadedFile("a.txt", b"hello")},
    ).content.decode()
    assert "不是 PDF、JPEG 或 PNG 文件" in bad
    uploaded = me.post(
        "/development/mine/",
        {"kind": "入党申请书", "file": SimpleUploadedFile("申请书.pdf", PDF)},
    )
    assert uploaded.status_code == 302
    with schema_context(alpha.schema):
        ids = list(Submission.objects.filter(record=record).values_list("pk", flat=True))
    connection.set_schema_to_public()
    assert len(ids) == 2
    mine = me.get("/development/mine/").content.decode()
    assert "我递交的材料" in mine and "思想汇报" in mine
    assert all(_fetch(me, f"/development/handed-in/{pk}/") == 200 for pk in ids)

    branch = logged_in(alpha.host, "branchsec")
    shown = branch.get(f"/development/records/{record.pk}/").content.decode()
    assert "本人递交的材料" in shown and "认真学习。" in shown
    assert _fetch(branch, f"/development/handed-in/{ids[0]}/") == 200
    # A member of the branch without development work sees none of it.
    other = logged_in(alpha.host, "member")
    assert other.get(f"/development/handed-in/{ids[0]}/").status_code == 404


def test_a_closed_record_takes_no_more_documents(w):
    record, _, user = _activist(w)
    type(record).objects.filter(pk=record.pk).update(status="cancelled")
    with pytest.raises(ApplicationError, match="不能再递交材料"):
        submission_create(
            scope=scope_for(user), record=record, kind="思想汇报", actor=user, text="x"
        )


def test_the_next_step_shows_when_it_falls_due(w, alpha):
    applied_on = timezone.localdate() - timedelta(days=10)
    record, _ = walk(w, start=applied_on, until=1)
    user = user_create(
        username="applicant_n", full_name=record.name, password=PASSWORD, role=User.Role.APPLICANT
    )
    development_record_link_user(scope=w.branch_scope, record=record, user=user)
    connection.set_schema_to_public()
    page = logged_in(alpha.host, "applicant_n").get("/development/mine/").content.decode()
    # Step 2 (党组织派人谈话) within a month of the application (the step's time rule).
    due = add_months(applied_on, 1)
    assert "第 2 步 党组织派人谈话" in page
    assert f"应于 {due:%Y-%m-%d} 前办理" in page
