"""The applicant on their phone (issue 16 item 6), in Chromium at 375 px against the live
daphne: they log in, read their next step and its date, hand in a thought report typed on
the phone (stored as typed: the form's round trip) and one uploaded as a file; the branch
secretary then sees both on the record and opens the file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import scope_for
from tenants.development.models import (
    DevelopmentRecord,
    ReminderLog,
    StepDocument,
    StepEntry,
    Submission,
)
from tenants.development.services import StepInput, development_record_link_user, record_create
from tenants.development.steps import add_months
from tenants.orgs.models import Organization
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from tests.tenants.development.path import PDF, person, uploads

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NAME = "郑手机"
APPLICANT = "applicant_phone"
TITLE = "2026年第四季度思想汇报"
TEXT = "敬爱的党组织：\n本季度我认真学习了党章，参加了志愿服务。\n请党组织考验。"


def _applicant(schema: str) -> tuple[int, Any]:
    """An applicant of 某村党支部 who applied 10 days ago; the branch links their login."""
    with schema_context(schema):
        branchsec = User.objects.get(username="branchsec")
        data = person(Organization.objects.get(name__endswith="某村党支部"), seq=83)
        data.name = NAME
        applied_on = timezone.localdate() - timedelta(days=10)
        record = record_create(
            scope=scope_for(branchsec),
            person=data,
            step=StepInput(done_on=applied_on, uploads=uploads(1)),
            actor=branchsec,
        )
        user = user_create(
            username=APPLICANT, full_name=NAME, password=PASSWORD, role=User.Role.APPLICANT
        )
        development_record_link_user(scope=scope_for(branchsec), record=record, user=user)
        return record.pk, applied_on


def _submissions(schema: str, record_id: int) -> list[dict[str, Any]]:
    with schema_context(schema):
        return list(
            Submission.objects.filter(record_id=record_id)
            .order_by("pk")
            .values("pk", "kind", "title", "text", "content_type", "original_name")
        )


def _clean(schema: str) -> None:
    with schema_context(schema):
        records = DevelopmentRecord.objects.filter(name=NAME)
        for doc in list(StepDocument.objects.filter(entry__record__in=records)) + list(
            Submission.objects.filter(record__in=records)
        ):
            doc.file.storage.delete(doc.file.name)
            doc.delete()
        ReminderLog.objects.filter(record__in=records).delete()
        StepEntry.objects.filter(record__in=records).delete()
        records.delete()
        User.objects.filter(username=APPLICANT).delete()


def test_the_applicant_hands_in_a_thought_report_from_the_phone(
    browser, live_server_port, committed, alpha
):
    record_id, applied_on = in_thread(lambda: _applicant(alpha.schema))
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        mobile = phone.new_page()
        login(mobile, live_server_port, alpha.host, APPLICANT, PASSWORD)
        mobile.goto(url(live_server_port, alpha.host, "/development/mine/"))
        assert mobile.inner_text("[data-testid=my-status]") == "入党申请人"
        # The next step and by when, from the step template (step 2 within a month).
        upcoming = mobile.locator("[data-testid=next-steps] [data-step='2']")
        assert "党组织派人谈话" in upcoming.inner_text()
        due = add_months(applied_on, 1)
        assert f"应于 {due:%Y-%m-%d} 前办理" in upcoming.inner_text()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 375

        # Typed on the phone: stored as typed.
        mobile.select_option("#id_kind", "思想汇报")
        mobile.fill("#id_title", TITLE)
        mobile.fill("#id_text", TEXT)
        mobile.get_by_role("button", name="递交").click()
        mobile.wait_for_url("**/development/mine/")
        assert "已递交思想汇报" in mobile.inner_text("main")
        (typed,) = in_thread(lambda: _submissions(alpha.schema, record_id))
        assert (typed["kind"], typed["title"], typed["text"]) == ("思想汇报", TITLE, TEXT)
        assert typed["content_type"] == "application/pdf"

        # A file from the phone (a scan of the handwritten report).
        mobile.select_option("#id_kind", "思想汇报")
        mobile.set_input_files(
            "#id_file", {"name": "思想汇报.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        mobile.get_by_role("button", name="递交").click()
        mobile.wait_for_url("**/development/mine/")
        handed = in_thread(lambda: _submissions(alpha.schema, record_id))
        assert [s["original_name"] for s in handed][1] == "思想汇报.pdf"
        assert mobile.locator("[data-testid=my-submissions] li a").count() == 2
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 375

        # The branch secretary sees both on the record and opens the file.
        page = desk.new_page()
        login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
        page.goto(url(live_server_port, alpha.host, f"/development/records/{record_id}/"))
        shown = page.locator("[data-testid=submissions]")
        assert shown.locator("li a").count() == 2
        assert TITLE in shown.inner_text()
        href = shown.locator("li a").last.get_attribute("href")
        assert href is not None
        # Fetched by the browser itself (its session, its host resolution).
        status, content_type, head = page.evaluate(
            """async (href) => {
                const r = await fetch(href);
                const bytes = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
                return [r.status, r.headers.get("content-type"), String.fromCharCode(...bytes)];
            }""",
            href,
        )
        assert (status, content_type, head) == (200, "application/pdf", "%PDF-")
    finally:
        phone.close()
        desk.close()
        in_thread(lambda: _clean(alpha.schema))
