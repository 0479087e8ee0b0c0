"""Crafted workbooks through the page and a real worker: declared sizes lying, a bomb past the
real budget, huge shared strings. Each is refused with a Chinese reason; the worker survives
and checks the next, good, file (issue 17, Failure)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import logged_in
from tests.tenants.imports import crafted
from tests.tenants.imports.conftest import row, upload, workbook
from tests.tenants.imports.test_worker import _clean_up, _wait_for

pytestmark = pytest.mark.live


def test_crafted_workbooks_are_refused_in_the_worker_which_survives(
    celery_worker_process, committed, alpha, settings
):
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 0  # production: every file goes to the worker
    client = logged_in(alpha.host, "admin")
    files = {
        "lying": crafted.lying_sizes(),
        "bomb": crafted.bomb(),  # 500 MB when inflated, over the real 400 MB budget
        "strings": crafted.huge_shared_strings(),  # over the real 2,000,000 strings
    }
    try:
        for name, content in files.items():
            response = client.post("/imports/members/", {"file": upload(content, f"{name}.xlsx")})
            assert response.status_code == 302, name
            page = _wait_for(client, response["Location"], {"validated", "invalid", "failed"})
            assert 'data-state="invalid"' in page, (name, page)
            assert re.search("无法读取该文件|文件内容过大", page), (name, page)
            assert celery_worker_process.proc.poll() is None, celery_worker_process.output()

        response = client.post("/imports/members/", {"file": upload(workbook([row(451)]))})
        page = _wait_for(client, response["Location"], {"validated", "invalid", "failed"})
        assert 'data-state="validated"' in page, page
        assert celery_worker_process.proc.poll() is None
    finally:
        _clean_up(alpha.schema, [])
