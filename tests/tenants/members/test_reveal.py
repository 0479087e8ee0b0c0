"""The password step before full personal values (issue 17, personal data item 1).

The member edit form shows the ID number, phone and address masked until the user whose
post carries members.reveal over the member confirms with the password; the step holds for
``REVEAL_MINUTES`` minutes, for that member only, in the session. Saving without it keeps
the stored values (a masked value is never written back). Every reveal, refused ones
included, is a security event REVEAL naming the member, never the number. Pages and answers
with full values are ``no-store``.

Roles: the county administrator and secretaries over the member may reveal (with the
password); a member without a post may reveal their own record only (the right to access
one's own personal information, PIPL art. 45; the password step still applies); the
security administrator and the auditor see no member data at all (三员分立)."""

from __future__ import annotations

import json
import time

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent, User
from shared.accounts.services import user_create
from tenants.access.scope import scope_for
from tenants.members.models import Member, PersonalDataAccess
from tenants.members.reveal import REVEAL_MINUTES, SESSION_KEY
from tenants.members.services import member_may_reveal
from tenants.transfers.services import letter_issue
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from tests.tenants.transfers.conftest import new_member
from tests.tenants.transfers.conftest import scope as scope_of
from tests.tenants.transfers.conftest import user as user_of
from tests.tenants.transfers.test_letters import LETTER, _city_out
from zhdj.pii.masking import mask_address, mask_id_number, mask_phone

pytestmark = pytest.mark.django_db

PROTECTED = ("id_number", "phone", "address")


def _member(schema: str, **lookup: str) -> Member:
    with schema_context(schema):
        return Member.objects.select_related("org").get(**lookup)


def _values(schema: str, pk: int) -> dict[str, str]:
    with schema_context(schema):
        m = Member.objects.get(pk=pk)
        return {f: getattr(m, f) for f in PROTECTED}


def _events(schema: str, **filters: object) -> list[SecurityEvent]:
    with schema_context(schema):
        return list(SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, **filters))


def _edit_post(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a browser sends back of the edit form as it was shown (initial values)."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "org":
            value = value.pk
        data[name] = (
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
    return data


def _no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


# -------------------------------------------------------------- the edit form, masked


@pytest.mark.parametrize("county", ["alpha", "beta"])
def test_the_edit_form_shows_masked_values_until_the_password(county, request):
    c = request.getfixturevalue(county)
    member = _member(c.schema, user__username="member")
    client = logged_in(c.host, "admin")
    page = client.get(f"/members/{member.pk}/edit/")
    body = page.content.decode()
    assert page.status_code == 200 and _no_store(page)
    assert member.id_number not in body and member.phone not in body and member.address not in body
    assert mask_id_number(member.id_number) in body and mask_phone(member.phone) in body
    assert mask_address(member.address) in body
    assert 'name="id_number"' not in body and "查看完整信息" in body

    unlocked = client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD})
    assert unlocked.status_code == 302 and unlocked["Location"].endswith(
        f"/members/{member.pk}/edit/"
    )
    assert _no_store(unlocked)
    page = client.get(f"/members/{member.pk}/edit/")
    body = page.content.decode()
    assert _no_store(page)
    assert f'value="{member.id_number}"' in body and f'value="{member.phone}"' in body
    assert member.address in body

    # The event names the member, not the number; one access row per field shown.
    (event,) = _events(c.schema)
    assert event.ok and event.username == "admin" and str(member.pk) in event.target
    assert member.id_number not in event.target + event.detail
    assert "公民身份号码" in event.detail
    with schema_context(c.schema):
        fields = set(
            PersonalDataAccess.objects.filter(member=member).values_list("field", flat=True)
        )
    assert fields == set(PROTECTED)


def test_the_step_holds_for_that_member_only(alpha):
    member = _member(alpha.schema, user__username="member")
    other = _member(alpha.schema, name="赵其他")
    client = logged_in(alpha.host, "admin")
    assert client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD}).status_code == 302
    body = client.get(f"/members/{other.pk}/edit/").content.decode()
    assert other.id_number not in body and mask_id_number(other.id_number) in body


def test_a_wrong_password_reveals_nothing_and_is_logged(alpha):
    member = _member(alpha.schema, user__username="member")
    client = logged_in(alpha.host, "admin")
    wrong = client.post(f"/members/{member.pk}/unlock/", {"password": "nope"})
    body = wrong.content.decode()
    assert wrong.status_code == 400 and "密码不正确" in body and member.id_number not in body
    empty = client.post(f"/members/{member.pk}/unlock/", {"password": ""})
    assert empty.status_code == 400 and "须输入登录密码" in empty.content.decode()
    assert member.id_number not in client.get(f"/members/{member.pk}/edit/").content.decode()
    (event,) = _events(alpha.schema)
    assert not event.ok and "密码不正确" in event.detail
    with schema_context(alpha.schema):
        assert not PersonalDataAccess.objects.filter(member=member).exists()


def test_the_step_expires(alpha):
    member = _member(alpha.schema, user__username="member")
    client = logged_in(alpha.host, "admin")
    client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD})
    assert member.id_number in client.get(f"/members/{member.pk}/edit/").content.decode()
    session = client.session
    grants = session[SESSION_KEY]
    assert grants[str(member.pk)] - time.time() <= REVEAL_MINUTES * 60
    grants[str(member.pk)] = time.time() - 1  # the minutes are over
    session[SESSION_KEY] = grants
    session.save()
    assert member.id_number not in client.get(f"/members/{member.pk}/edit/").content.decode()


# -------------------------------------------------------------- saving


def test_saving_without_the_step_keeps_the_stored_values(alpha):
    member = _member(alpha.schema, user__username="member")
    before = _values(alpha.schema, member.pk)
    client = logged_in(alpha.host, "admin")
    data = _edit_post(client.get(f"/members/{member.pk}/edit/"))
    assert not set(PROTECTED) & set(data)
    data["job_title"] = "村会计"
    saved = client.post(f"/members/{member.pk}/edit/", data)
    assert saved.status_code == 302
    assert _values(alpha.schema, member.pk) == before
    assert _member(alpha.schema, pk=member.pk).job_title == "村会计"


def test_masked_values_sent_back_are_never_written(alpha):
    member = _member(alpha.schema, user__username="member")
    before = _values(alpha.schema, member.pk)
    client = logged_in(alpha.host, "admin")
    data = _edit_post(client.get(f"/members/{member.pk}/edit/"))
    data.update(
        {
            "id_number": mask_id_number(before["id_number"]),
            "phone": mask_phone(before["phone"]),
            "address": mask_address(before["address"]),
        }
    )
    assert client.post(f"/members/{member.pk}/edit/", data).status_code == 302
    assert _values(alpha.schema, member.pk) == before
    # The API: a client echoing what it read (masked) changes nothing either.
    read = client.get(f"/api/members/{member.pk}/").json()
    assert _no_store(client.get(f"/api/members/{member.pk}/"))
    put = {
        k: read[k]
        for k in (
            "org",
            "name",
            "id_number",
            "ethnicity_code",
            "category_code",
            "joined_at",
            "full_member_at",
            "education_code",
            "phone",
            "address",
        )
    }
    answer = client.put(f"/api/members/{member.pk}/", put, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert _values(alpha.schema, member.pk) == before


def test_a_changed_value_without_the_step_is_refused(alpha):
    """The minutes ran out between showing the form and saving it: the typed value is not
    taken silently, the page asks for the password again."""
    member = _member(alpha.schema, user__username="member")
    before = _values(alpha.schema, member.pk)
    client = logged_in(alpha.host, "admin")
    data = _edit_post(client.get(f"/members/{member.pk}/edit/"))
    data["phone"] = "13611112222"
    refused = client.post(f"/members/{member.pk}/edit/", data)
    assert refused.status_code == 200 and "重新输入密码" in refused.content.decode()
    assert _values(alpha.schema, member.pk) == before


def test_after_the_step_the_full_values_are_edited(alpha):
    member = _member(alpha.schema, user__username="member")
    client = logged_in(alpha.host, "branchsec")
    client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD})
    data = _edit_post(client.get(f"/members/{member.pk}/edit/"))
    assert data["id_number"] == member.id_number
    data["phone"] = "13611112222"
    data["address"] = "榆阳区新建路 1 号"
    assert client.post(f"/members/{member.pk}/edit/", data).status_code == 302
    after = _values(alpha.schema, member.pk)
    assert after == {
        "id_number": member.id_number,
        "phone": "13611112222",
        "address": "榆阳区新建路 1 号",
    }
    # Saved: the step is over.
    assert member.id_number not in client.get(f"/members/{member.pk}/edit/").content.decode()


# -------------------------------------------------------------- roles


def test_a_secretary_outside_the_member_s_branch_cannot(alpha):
    other = _member(alpha.schema, name="赵其他")
    client = logged_in(alpha.host, "branchsec")
    assert client.get(f"/members/{other.pk}/edit/").status_code == 404
    assert client.post(f"/members/{other.pk}/unlock/", {"password": PASSWORD}).status_code == 404
    reveal = client.post(
        f"/members/{other.pk}/reveal/", {"field": "id_number", "password": PASSWORD}
    )
    assert reveal.status_code == 404 and other.id_number not in reveal.content.decode()


def test_the_town_secretary_reveals_in_the_subtree(alpha):
    other = _member(alpha.schema, name="赵其他")
    client = logged_in(alpha.host, "townsec")
    assert client.post(f"/members/{other.pk}/unlock/", {"password": PASSWORD}).status_code == 302
    assert other.id_number in client.get(f"/members/{other.pk}/edit/").content.decode()


def test_a_member_reveals_their_own_record_only_with_the_password(alpha):
    own = _member(alpha.schema, user__username="member")
    other = _member(alpha.schema, user__username="branchsec")
    client = logged_in(alpha.host, "member")
    detail = client.get(f"/members/{own.pk}/")
    body = detail.content.decode()
    assert _no_store(detail) and own.id_number not in body and "查看完整信息" in body
    assert client.get(f"/members/{own.pk}/edit/").status_code == 403  # no members.edit
    assert _no_store(client.get("/members/me/propose/"))  # own phone and address in the form
    wrong = client.post(f"/members/{own.pk}/reveal/", {"field": "id_number", "password": "x"})
    assert own.id_number not in wrong.content.decode() and "密码不正确" in wrong.content.decode()
    ok = client.post(f"/members/{own.pk}/reveal/", {"field": "id_number", "password": PASSWORD})
    assert ok.status_code == 200 and own.id_number in ok.content.decode() and _no_store(ok)
    assert (
        client.post(
            f"/members/{other.pk}/reveal/", {"field": "id_number", "password": PASSWORD}
        ).status_code
        == 404
    )
    kinds = [(e.ok, e.username) for e in _events(alpha.schema)]
    assert sorted(kinds) == [(False, "member"), (True, "member")]


def test_the_api_reveal_is_logged_as_a_security_event(alpha):
    member = _member(alpha.schema, user__username="member")
    client = logged_in(alpha.host, "branchsec")
    ok = client.post(
        f"/api/members/{member.pk}/reveal/",
        {"field": "phone", "password": PASSWORD},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["value"] == member.phone and _no_store(ok)
    (event,) = _events(alpha.schema)
    assert (
        event.ok
        and "手机号" in event.detail
        and member.phone not in json.dumps([event.target, event.detail], ensure_ascii=False)
    )


def test_the_security_administrator_and_the_auditor_reveal_nothing(alpha):
    with schema_context(alpha.schema):
        member = Member.objects.select_related("org").get(user__username="member")
        for username, role in (
            ("sec_pii", User.Role.SECURITY_ADMIN),
            ("aud_pii", User.Role.AUDITOR),
        ):
            officer = user_create(username=username, full_name="三员", password=PASSWORD, role=role)
            scope = scope_for(officer)
            assert not member_may_reveal(scope, member) and not scope.may_reveal(member)
    # And through the pages and the API, as the world's 安全管理员 and 审计管理员.
    for username in ("anquan", "shenji"):
        client = logged_in(alpha.host, username)
        unlock = client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD})
        api = client.post(
            f"/api/members/{member.pk}/reveal/",
            {"field": "id_number", "password": PASSWORD},
            content_type="application/json",
        )
        for answer in (unlock, api):
            assert answer.status_code in (403, 404), (username, answer.status_code)
            assert member.id_number not in answer.content.decode()


def test_another_county_s_member_is_out_of_reach(alpha, beta):
    member = _member(alpha.schema, user__username="member")
    client = logged_in(beta.host, "admin")
    answer = client.post(f"/members/{member.pk}/unlock/", {"password": PASSWORD})
    assert member.id_number not in answer.content.decode()
    if not _exists(beta.schema, member.pk):
        assert answer.status_code == 404
    # Whatever beta shows under that id afterwards is beta's own member, never alpha's.
    edit = client.get(f"/members/{member.pk}/edit/")
    assert member.id_number not in edit.content.decode()


def _exists(schema: str, pk: int) -> bool:
    with schema_context(schema):
        return Member.objects.filter(pk=pk).exists()


# -------------------------------------------------------------- letters


def test_the_letter_pdf_needs_the_committee_is_no_store_and_logged(alpha):
    with schema_context(alpha.schema):
        member = new_member(name="外出人")
        letter = letter_issue(
            scope=scope_of("admin"), actor=user_of("admin"), transfer=_city_out(member), data=LETTER
        )
    assert logged_in(alpha.host, "member").get(
        f"/transfers/{letter.transfer_id}/letter.pdf"
    ).status_code in (403, 404)
    assert not _events(alpha.schema)
    pdf = logged_in(alpha.host, "admin").get(f"/transfers/{letter.transfer_id}/letter.pdf")
    assert pdf.status_code == 200 and _no_store(pdf)
    (event,) = _events(alpha.schema)
    assert letter.serial in event.detail and str(member.pk) in event.target
    assert member.id_number not in event.target + event.detail


def test_the_proof_pdf_is_no_store_and_logged(alpha):
    with schema_context(alpha.schema):
        member = new_member(name="外出人")
    client = logged_in(alpha.host, "branchsec")
    client.post(
        "/transfers/proofs/new/",
        {"member": member.pk, "destination": "深圳市南山区", "reason": "外出务工", "months": 3},
    )
    from tenants.transfers.models import ProofLetter

    with schema_context(alpha.schema):
        proof = ProofLetter.objects.get(member_id=member.pk)
    pdf = client.get(f"/transfers/proofs/{proof.pk}/letter.pdf")
    assert pdf.status_code == 200 and _no_store(pdf)
    (event,) = _events(alpha.schema)
    assert proof.serial in event.detail and event.username == "branchsec"
