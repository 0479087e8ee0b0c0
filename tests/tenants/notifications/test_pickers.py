"""The recipient picker of a notice: the county's users by name, login or pinyin."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tenants.notifications.models import Notification
from tests.conftest import logged_in


def test_an_administrator_finds_users_by_pinyin_initials(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    found = admin.get("/notifications/recipients/", {"q": "wsj"}).json()["results"]
    assert [r["label"] for r in found] == ["王书记（townsec）"]
    assert [r["name"] for r in admin.get("/notifications/recipients/?q=李").json()["results"]] == [
        "李支书"
    ]
    assert logged_in(alpha.host, "member").get("/notifications/recipients/").status_code == 403


def test_a_notice_goes_to_the_users_picked(db, alpha):  # type: ignore[no-untyped-def]
    admin = logged_in(alpha.host, "admin")
    found = admin.get("/notifications/recipients/", {"q": "lzs"}).json()["results"]
    response = admin.post(
        "/notifications/compose/",
        {"title": "支部学习", "body": "", "recipients": [r["id"] for r in found]},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        sent = Notification.objects.filter(title="支部学习")
        assert list(sent.values_list("recipient__username", flat=True)) == ["branchsec"]
    refused = admin.post("/notifications/compose/", {"title": "x", "recipients": ["999999"]})
    assert refused.status_code == 200 and "recipients" in refused.context["form"].errors
