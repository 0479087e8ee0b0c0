"""The menu highlights one item: the section the page belongs to (issue 15)."""

from __future__ import annotations

from types import SimpleNamespace

from zhdj.web.navigation import COUNTY_NAV, _current

URLS = {
    "home": "/",
    "members:list": "/members/",
    "rollups:county_dashboard": "/dashboard/",
    "rollups:county_map": "/dashboard/map/",
    "members:me": "/members/me/",
    "transfers:list": "/transfers/",
    "transfers:mine": "/transfers/mine/",
}


def _shown(*names: str):  # type: ignore[no-untyped-def]
    items = {item.url_name: item for item in COUNTY_NAV}
    return [(items[name], URLS[name]) for name in names]


def _request(path: str, namespace: str = "", section: str | None = None):  # type: ignore[no-untyped-def]
    request = SimpleNamespace(path=path, resolver_match=SimpleNamespace(namespace=namespace))
    if section is not None:
        request.nav_section = section
    return request


def _label(path: str, shown, **kw) -> str | None:  # type: ignore[no-untyped-def]
    item = _current(_request(path, **kw), shown)
    return item.label if item is not None else None


def test_the_deepest_address_wins():
    shown = _shown("home", "rollups:county_dashboard", "rollups:county_map", "members:list")
    assert _label("/dashboard/map/", shown, namespace="rollups") == "电子地图"
    assert _label("/dashboard/", shown, namespace="rollups") == "数据看板"
    assert _label("/", shown) == "首页"
    assert _label("/members/12/", shown, namespace="members") == "党员信息"


def test_a_page_outside_every_address_follows_its_namespace():
    member = _shown("home", "members:me", "transfers:mine")
    assert _label("/transfers/5/", member, namespace="transfers") == "我的转接"
    assert _label("/members/12/", member, namespace="members") == "我的信息"
    manager = _shown("home", "members:list")
    assert _label("/imports/members/", manager, namespace="imports") == "党员信息"
    assert _label("/nowhere/", manager) is None


def test_a_view_names_its_section_when_the_address_does_not_tell():
    shown = _shown("home", "members:list", "members:me")
    assert _label("/members/12/", shown, namespace="members", section="members:me") == "我的信息"
    # A section the user's menu does not show: the address decides.
    assert _label("/members/12/", shown[:2], section="members:me") == "党员信息"
