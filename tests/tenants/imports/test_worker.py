"""The real thing once: the upload page queues the check, a real Celery worker (tenant-aware)
runs it and the commit, the page polls the progress as HTMX does."""

from __future__ import annotations

import re
import time

import pgtrigger
import pytest
from django.apps import apps
from django_tenants.utils import schema_context

from tenants.imports.models import ImportJob
from tenants.members.models import Member
from tests.conftest import logged_in
from tests.support.names import chinese_number
from tests.tenants.imports.conftest import id_number, row, upload, workbook
from zhdj.pii.fields import index_for

pytestmark = pytest.mark.live

ROWS = 30


def _wait_for(client, url: str, states: set[str], timeout: float = 60) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        state = re.search(r'data-state="(\w+)"', partial).group(1)  # type: ignore[union-attr]
        if state in states:
            return partial
        assert time.monotonic() < deadline, f"job still {state}: {partial}"
        assert 'hx-trigger="every 1s"' in partial  # the page keeps polling while it runs
        time.sleep(0.3)


def test_upload_check_and_commit_through_the_page_and_the_worker(
    celery_worker_process, committed, alpha, settings
):
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 0  # every file goes to the worker
    settings.ZHDJ_IMPORT_INLINE_MAX_ROWS = 0
    numbers = [id_number(400 + i) for i in range(ROWS)]
    content = workbook([row(400 + i, 姓名=f"导入{chinese_number(i)}") for i in range(ROWS)])
    client = logged_in(alpha.host, "admin")
    try:
        response = client.post("/imports/members/", {"file": upload(content)})
        assert response.status_code == 302
        job_url = response["Location"]
        page = _wait_for(client, job_url, {"validated", "invalid"})
        assert 'data-state="validated"' in page, page
        assert f"将新增 <strong>{ROWS}</strong> 人" in page

        assert client.post(job_url + "confirm/").status_code == 302
        page = _wait_for(client, job_url, {"succeeded", "failed"})
        assert 'data-state="succeeded"' in page, page
        with schema_context(alpha.schema):
            created = Member.objects.filter(
                id_number_index__in=[index_for("id_number", n) for n in numbers]
            )
            assert created.count() == ROWS
            assert created.filter(name="导入零", name_pinyin__startswith="daoru").exists()
    finally:
        _clean_up(alpha.schema, numbers)


def _clean_up(schema: str, numbers: list[str]) -> None:
    with schema_context(schema):
        indexes = [index_for("id_number", n) for n in numbers]
        ids = list(Member.objects.filter(id_number_index__in=indexes).values_list("pk", flat=True))
        Member.objects.filter(pk__in=ids).delete()
        ImportJob.objects.all().delete()
        # The audit trail is append-only by a trigger; this test's rows go too.
        event = apps.get_model("members", "MemberEvent")
        with pgtrigger.ignore("members.MemberEvent:append_only"):
            event.objects.filter(pgh_obj_id__in=ids).delete()
