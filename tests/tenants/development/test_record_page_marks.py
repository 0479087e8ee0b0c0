"""The record page marks document links with a drawn icon, not an emoji (servers and some
phones have no emoji font and show a box)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from tenants.development.steps import add_months
from tests.conftest import logged_in
from tests.tenants.development.path import walk, world


def test_document_links_carry_no_emoji(in_alpha, alpha):  # type: ignore[no-untyped-def]
    record, _ = walk(world(), start=add_months(timezone.localdate(), -20), until=3)
    connection.set_schema_to_public()
    page = logged_in(alpha.host, "branchsec").get(f"/development/records/{record.pk}/")
    text = page.content.decode()
    assert '<div class="docs"><a href="/development/documents/' in text
    assert "📄" not in text
    assert ".docs a::before" in text
