"""The transfer start form names, on each receiving field, the 转接类型 it belongs to
(static/js/show-if.js shows only those of the chosen kind; without it all show)."""

from __future__ import annotations

import re

from tenants.transfers.forms import StartForm
from tests.tenants.transfers.conftest import scope


def _show_if(html: str, name: str) -> str | None:
    tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    found = re.search(r'data-show-if="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def test_each_receiving_field_names_its_transfer_kinds(in_alpha):
    for form in (
        StartForm(scope=scope("admin")),
        StartForm(scope=scope("member"), own_member_id=1),
    ):
        html = str(form)
        assert _show_if(html, "to_org") == "kind=within"
        assert _show_if(html, "target_schema") == "kind=county_out"
        assert _show_if(html, "to_name") == "kind=county_out city_out"
        assert _show_if(html, "reason") is None
        assert [v for v, _ in form.fields["kind"].choices] == ["within", "county_out", "city_out"]
