"""三员分立 in Chromium: the auditor filters the security events (kind, user, dates) at
phone width and the filter comes back as typed; the ops team creates a county's auditor
on the city site and the account lands in that county only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent, User
from tests.e2e.conftest import assert_fits_phone, login, url
from tests.e2e.test_form_roundtrip import orm, submit
from tests.support.threads import in_thread
from tests.support.world import BETA, CITY_HOST, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.live]


def test_the_auditor_filters_the_security_events_at_phone_width(
    page_factory, live_server_port, alpha, committed
):
    def seed() -> None:
        with schema_context(alpha.schema):
            now = timezone.now()
            SecurityEvent.objects.create(
                kind="login_failed", username="e2e-guess", target="浏览器筛选甲", at=now
            )
            SecurityEvent.objects.create(
                kind="locked_out", username="e2e-guess", target="浏览器筛选乙", at=now
            )
            SecurityEvent.objects.create(
                kind="login_failed",
                username="e2e-guess",
                target="浏览器筛选丙",
                at=now - timedelta(days=10),
            )

    in_thread(seed)  # committed: the rows stay (nobody may delete them), as in production
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, "shenji", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/audit/events/"))
    today = timezone.localdate().isoformat()
    page.select_option("#id_kind", "login_failed")
    page.fill("#id_user", "e2e-guess")
    page.fill("#id_date_from", today)
    page.fill("#id_date_to", today)
    submit(page, "筛选")
    rows = page.inner_text("[data-testid=event-rows]")
    assert "浏览器筛选甲" in rows and "浏览器筛选乙" not in rows and "浏览器筛选丙" not in rows
    assert "登录失败" in rows
    # The filter comes back as it was typed, and the export link carries it.
    assert page.input_value("#id_kind") == "login_failed"
    assert page.input_value("#id_user") == "e2e-guess"
    assert page.input_value("#id_date_from") == today == page.input_value("#id_date_to")
    href = page.get_attribute("[data-testid=events-export]", "href") or ""
    assert "kind=login_failed" in href and f"date_from={today}" in href
    # No horizontal scrolling of the page itself at phone width (the table scrolls inside).
    assert_fits_phone(page)


def test_ops_creates_a_county_auditor_through_the_form(page_factory, live_server_port, committed):
    page = page_factory()
    login(page, live_server_port, CITY_HOST, "ops", PASSWORD)
    page.goto(url(live_server_port, CITY_HOST, "/users/counties/"))
    page.select_option("#id_county", label=BETA.name)
    page.select_option("#id_role", "auditor")
    page.fill("#id_username", "e2e_shenji")
    page.fill("#id_full_name", "浏览器审计员")
    try:
        submit(page, "创建账号")
        assert page.inner_text("[data-testid=officer-password]").strip()
        row = orm(
            BETA.schema,
            lambda: User.objects.filter(username="e2e_shenji").values_list(
                "full_name", "role", "must_change_password"
            )[0],
        )
        assert row == ("浏览器审计员", "auditor", True)
        assert not orm("alpha", lambda: User.objects.filter(username="e2e_shenji").exists())
    finally:
        orm(BETA.schema, lambda: User.objects.filter(username="e2e_shenji").delete())
