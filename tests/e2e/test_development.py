"""Member development in Chromium against the live daphne: the branch secretary reads
the pipeline board (ECharts funnel), expands a stage's count into names, records step 2
with an uploaded document; the applicant then reads their own timeline on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import scope_for
from tenants.development.models import (
    DevelopmentRecord,
    MeetingVote,
    ReminderLog,
    StepDocument,
    StepEntry,
    StepPerson,
)
from tenants.development.services import StepInput, record_create
from tenants.orgs.models import Organization
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from tests.tenants.development.path import PDF, person, uploads

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NAME = "周浏览"
APPLICANT = "applicant_e2e"


def _applicant(schema: str) -> int:
    """An applicant of 某村党支部 who applied 10 days ago, with their own login."""
    with schema_context(schema):
        branchsec = User.objects.get(username="branchsec")
        data = person(Organization.objects.get(name__endswith="某村党支部"), seq=77)
        data.name = NAME
        user = user_create(
            username=APPLICANT, full_name=NAME, password=PASSWORD, role=User.Role.APPLICANT
        )
        record = record_create(
            scope=scope_for(branchsec),
            person=data,
            step=StepInput(done_on=timezone.localdate() - timedelta(days=10), uploads=uploads(1)),
            actor=branchsec,
            user=user,
        )
        return record.pk


def _clean(schema: str) -> None:
    with schema_context(schema):
        records = DevelopmentRecord.objects.filter(name=NAME)
        entries = StepEntry.objects.filter(record__in=records)
        for doc in StepDocument.objects.filter(entry__in=entries):
            doc.file.storage.delete(doc.file.name)
            doc.delete()
        StepPerson.objects.filter(entry__in=entries).delete()
        MeetingVote.objects.filter(entry__in=entries).delete()
        ReminderLog.objects.filter(record__in=records).delete()
        entries.delete()
        records.delete()
        User.objects.filter(username=APPLICANT).delete()


def test_branch_secretary_records_a_step_and_the_applicant_reads_it_on_a_phone(
    browser, live_server_port, committed, alpha
):
    record_id = in_thread(lambda: _applicant(alpha.schema))
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    try:
        page = desk.new_page()
        login(page, live_server_port, alpha.host, "branchsec", PASSWORD)
        page.goto(url(live_server_port, alpha.host, "/development/"))
        page.wait_for_selector("#stage-chart[data-rendered='1']")
        assert "入党申请人：" in page.locator("#stage-chart svg").text_content()  # funnel label
        totals = page.locator("[data-testid=stage-totals] [data-stage=applicant] .stat__value")
        assert int(totals.inner_text()) >= 1

        # The count expands into the names (details/summary), each a link to the record.
        cell = page.locator("[data-testid=pipeline] td[data-stage=applicant]").filter(has_text="人")
        link = cell.get_by_role("link", name=NAME)
        assert not link.is_visible()
        cell.locator("summary").first.click()
        link.click()
        page.wait_for_url(f"**/development/records/{record_id}/")
        assert page.inner_text("[data-testid=status]") == "入党申请人"

        page.click("[data-testid=do-step-2]")
        page.wait_for_selector("[data-testid=step-form]")
        talked = timezone.localdate() - timedelta(days=3)
        page.fill("#id_done_on", talked.isoformat())
        page.set_input_files(
            "#id_doc_0", {"name": "谈话记录.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"**/development/records/{record_id}/")
        assert "第 2 步" in page.inner_text(".messages, [role=status], main")
        done = page.locator("[data-testid=timeline] li[data-step='2']")
        assert "已完成" in done.inner_text()
        assert done.locator(".docs a").count() == 1

        mobile = phone.new_page()
        login(mobile, live_server_port, alpha.host, APPLICANT, PASSWORD)
        mobile.goto(url(live_server_port, alpha.host, "/development/mine/"))
        assert mobile.inner_text("[data-testid=my-status]") == "入党申请人"
        step2 = mobile.locator("[data-testid=timeline] li[data-step='2']")
        assert "已完成" in step2.inner_text() and talked.isoformat() in step2.inner_text()
        assert (
            mobile.locator("[data-testid=timeline] li[data-step='3']").get_attribute("class")
            == "next"
        )
        assert mobile.locator("[data-testid=do-step-3]").count() == 0  # reads, never acts
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
        response = mobile.goto(url(live_server_port, alpha.host, "/development/"))
        assert response is not None and response.status == 403  # a page of post holders
    finally:
        desk.close()
        phone.close()
        in_thread(lambda: _clean(alpha.schema))
