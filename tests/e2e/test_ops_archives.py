"""Ops makes a county's archive and a handover export from the page (备份与移交), with a
real Celery worker writing them, and downloads one: an encrypted file."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pyrage
import pytest
from django.conf import settings

from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def _trail() -> set[tuple[str, str]]:
    from shared.customers.models import LifecycleEvent

    events = LifecycleEvent.objects.filter(schema_name="beta")
    return set(events.values_list("action", "username"))


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("[data-testid=archives] tbody tr td a").count()


def _wait_for_rows(page, count: int) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while _rows(page) < count and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert _rows(page) == count


def test_ops_backs_up_and_exports_a_county_for_handover(
    page_factory, live_server_port, celery_worker_process, committed
):
    folder = Path(settings.ZHDJ_BACKUP_DIR) / "beta"
    shutil.rmtree(folder, ignore_errors=True)
    port = live_server_port
    page = page_factory()
    login(page, port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(port, CITY_HOST, "/ops/tenants/"))
    page.locator("tr[data-schema=beta] [data-testid=archives-link]").click()
    assert "横山区 · 备份与移交" in page.inner_text("h1")
    try:
        page.get_by_role("button", name="立即备份").click()
        assert "已开始备份横山区" in page.inner_text("body")
        _wait_for_rows(page, 1)
        made = page.inner_text("[data-testid=archives] tbody tr td")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", made.strip())
        page.fill("#id_recipient", "不是公钥")
        page.get_by_role("button", name="开始导出").click()
        assert "接收方公钥格式不正确" in page.inner_text("[data-field=recipient]")
        receiver = pyrage.x25519.Identity.generate()
        page.fill("#id_recipient", str(receiver.to_public()))
        page.get_by_role("button", name="开始导出").click()
        _wait_for_rows(page, 2)
        assert "移交导出" in page.inner_text("[data-testid=archives]")
        with page.expect_download() as info:
            page.locator("[data-testid=archives] tbody tr").first.get_by_text("下载").click()
        data = Path(info.value.path()).read_bytes()
        assert data.startswith(b"age-encryption.org/v1")
        assert pyrage.decrypt(data, [receiver])  # the receiver opens the handover export
        assert {("backup", "ops"), ("handover", "ops")} <= in_thread(_trail)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
