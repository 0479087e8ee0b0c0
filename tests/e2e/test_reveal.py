"""The password step of the member edit form in Chromium (issue 17, personal data): the
form comes up with the ID number, phone and address masked; 查看完整信息 with the password
shows them in full for that member; a changed phone is saved and nothing else moves."""

from __future__ import annotations

from collections.abc import Iterator

import pgtrigger
import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent
from tenants.members.models import Member, PersonalDataAccess
from tests.e2e.conftest import login, url
from tests.e2e.test_form_roundtrip import World, orm, snapshot, submit, world  # noqa: F401
from tests.support.world import PASSWORD
from zhdj.pii.masking import mask_id_number, mask_phone

pytestmark = [pytest.mark.e2e, pytest.mark.live]

NEW_PHONE = "13700007272"


@pytest.fixture
def member_world(world, alpha) -> Iterator[World]:  # noqa: F811
    """The round trip's member; the access log rows the reveal writes go before the member
    does (they are append-only and protect the member row)."""
    yield world

    def clean() -> None:
        with pgtrigger.ignore("members.PersonalDataAccess:append_only"):
            PersonalDataAccess.objects.filter(member_id=world.member_id).delete()

    orm(alpha.schema, clean)


def test_reveal_then_edit_then_save(page_factory, live_server_port, member_world, alpha):
    made = member_world
    before = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=made.member_id)))
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/members/{made.member_id}/edit/"))

    # Masked, and not in the form: nothing of it can be sent back.
    protected = page.get_by_test_id("protected").inner_text()
    assert mask_id_number(before["id_number"]) in protected
    assert mask_phone(before["phone"]) in protected
    assert before["id_number"] not in page.content()
    assert page.locator("#id_id_number").count() == 0

    # The password step.
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="查看完整信息").click()
    page.wait_for_url(f"**/members/{made.member_id}/edit/")
    assert page.get_by_test_id("revealed-note").is_visible()
    assert page.input_value("#id_id_number") == before["id_number"]
    assert page.input_value("#id_phone") == before["phone"]
    assert page.input_value("#id_address") == before["address"]

    page.fill("#id_phone", NEW_PHONE)
    submit(page)
    page.wait_for_url(f"**/members/{made.member_id}/")

    after = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=made.member_id)))
    assert after["phone"] == NEW_PHONE
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= {"phone", "phone_index"}, changed

    def reveals() -> list[tuple[bool, str]]:
        with schema_context(alpha.schema):
            rows = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="admin")
            return [(e.ok, e.target) for e in rows]

    events = orm(alpha.schema, reveals)
    assert any(ok and str(made.member_id) in target for ok, target in events)
    assert not any(before["id_number"] in target for _, target in events)
