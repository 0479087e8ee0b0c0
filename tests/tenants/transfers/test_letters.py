"""Letters (介绍信 / 证明信 / 保留), bad input and the tasks."""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shared.interchange.models import LetterRecord
from tenants.members.models import Member
from tenants.members.validation import MemberData
from tenants.transfers.models import Kind, State, Transfer
from tenants.transfers.pdf import capital_number, letter_html, letter_pdf
from tenants.transfers.services import (
    LetterData,
    letter_issue,
    letter_receipt_register,
    paper_letter_register,
    proof_letter_issue,
    retention_start,
    transfer_approve,
    transfer_start,
)
from tenants.transfers.tasks import remind_late_receipts
from tests.tenants.transfers.conftest import new_member, scope, town, user, village
from zhdj.errors import ApplicationError
from zhdj.pii.idnumber import make_id_number

LETTER = LetterData(
    validity_days=30,
    sender_address="榆林市榆阳区新建路1号",
    sender_phone="0912-3333333",
    sender_postcode="719000",
    sender_fax="0912-3333334",
    dues_paid_until=date(2026, 3, 1),
)


def _city_out(member):  # type: ignore[no-untyped-def]
    return transfer_start(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        kind=Kind.CITY_OUT,
        reason="考入外省公务员",
        to_name="中共西安市雁塔区委组织部",
    )


def test_the_letter_holds_every_field_and_a_qr_code(in_alpha):
    member = new_member()
    letter = letter_issue(
        scope=scope("admin"), actor=user("admin"), transfer=_city_out(member), data=LETTER
    )
    html = letter_html(letter)
    for text in (
        letter.serial,
        member.name,
        "男",
        "汉族",
        "正式党员",
        member.id_number,
        "中共西安市雁塔区委组织部",
        "2026年3月",
        "叁拾",
        member.phone,
        "榆林市榆阳区新建路1号",
        "0912-3333333",
        "0912-3333334",
        "719000",
        "存根",
        "回执",
        "骑缝章",
        "data:image/svg+xml",
    ):
        assert text in html, text
    assert "汉族族" not in html
    pdf = letter_pdf(letter)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert b"NotoSansCJK" in _inflated(pdf)  # the CJK font is embedded
    assert Transfer.objects.get(pk=letter.transfer_id).state == State.AWAITING_RECEIPT
    record = LetterRecord.objects.get(token=letter.token)
    assert record.masked_name == member.name[0] + "*" * (len(member.name) - 1)


def _inflated(pdf: bytes) -> bytes:
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def test_capital_numbers():
    assert [capital_number(n) for n in (7, 10, 30, 45, 90, 105)] == [
        "柒",
        "壹拾",
        "叁拾",
        "肆拾伍",
        "玖拾",
        "壹佰零伍",
    ]


def test_the_receipt_completes_the_transfer_and_marks_the_member_transferred_out(in_alpha):
    member = new_member()
    letter = letter_issue(
        scope=scope("admin"), actor=user("admin"), transfer=_city_out(member), data=LETTER
    )
    letter_receipt_register(
        scope=scope("admin"),
        actor=user("admin"),
        letter=letter,
        received_on=timezone.localdate(),
        receipt_org="雁塔区委组织部",
    )
    member.refresh_from_db()
    assert member.party_status_code == "transferred_out"
    assert not member.user.is_active
    assert LetterRecord.objects.get(token=letter.token).state == LetterRecord.State.RECEIVED


def test_late_receipts_are_reminded_once_a_week(in_alpha):
    letter = letter_issue(
        scope=scope("admin"), actor=user("admin"), transfer=_city_out(new_member()), data=LETTER
    )
    type(letter).objects.filter(pk=letter.pk).update(
        issued_on=timezone.localdate() - timedelta(days=40)
    )
    assert remind_late_receipts() >= 1
    assert remind_late_receipts() == 0


def test_validity_above_the_maximum_is_refused(in_alpha):
    transfer = _city_out(new_member())
    bad = LetterData(**{**LETTER.__dict__, "validity_days": 120})
    with pytest.raises(ApplicationError) as excinfo:
        letter_issue(scope=scope("admin"), actor=user("admin"), transfer=transfer, data=bad)
    assert excinfo.value.field == "validity_days"


def test_a_member_with_a_pending_transfer_cannot_start_another(in_alpha):
    member = new_member()
    _city_out(member)
    with pytest.raises(ApplicationError) as excinfo:
        _city_out(member)
    assert excinfo.value.field == "member" and "正在办理" in excinfo.value.message


def test_a_target_that_cannot_receive_members_is_refused(in_alpha):
    with pytest.raises(ApplicationError) as excinfo:
        transfer_start(
            scope=scope("admin"),
            actor=user("admin"),
            member=new_member(),
            kind=Kind.WITHIN,
            reason="搬家",
            to_org=town(),
        )
    assert excinfo.value.field == "to_org" and "不能接收党员" in excinfo.value.message


def test_within_the_county_four_steps_move_the_member(in_alpha):
    from tests.tenants.transfers.conftest import other_village

    member = new_member()
    transfer = transfer_start(
        scope=scope("member") if False else scope("admin"),
        actor=user("admin"),
        member=member,
        kind=Kind.WITHIN,
        reason="搬家",
        to_org=other_village(),
    )
    assert transfer.state == State.PENDING_COMMITTEE  # the branch started it
    with pytest.raises(ApplicationError):  # the branch secretary is not the committee
        transfer_approve(scope=scope("branchsec"), actor=user("branchsec"), transfer=transfer)
    for _ in range(3):
        transfer = transfer_approve(
            scope=scope("townsec"), actor=user("townsec"), transfer=transfer
        )
    assert transfer.state == State.COMPLETED
    member.refresh_from_db()
    assert member.org_id == other_village().pk
    assert [a.action for a in transfer.actions.all()] == [
        "submit",
        "approve",
        "approve",
        "accept",
        "accept",
    ]


def test_an_expired_paper_letter_is_refused(in_alpha):
    data = MemberData(
        org=village(),
        name="外来人",
        id_number=make_id_number("610802", date(1990, 2, 2), 9, "male"),
        ethnicity_code="01",
        category_code="full",
        joined_at=date(2014, 7, 1),
        full_member_at=date(2015, 7, 1),
    )
    before = Member.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        paper_letter_register(
            scope=scope("admin"),
            actor=user("admin"),
            data=data,
            letter_serial="X-1",
            from_name="中共某省某县委",
            issued_on=timezone.localdate() - timedelta(days=40),
            validity_days=30,
            dues_paid_until=None,
        )
    assert excinfo.value.field == "validity_days" and "过有效期" in excinfo.value.message
    assert Member.objects.count() == before
    transfer = paper_letter_register(
        scope=scope("admin"),
        actor=user("admin"),
        data=data,
        letter_serial="X-1",
        from_name="中共某省某县委",
        issued_on=timezone.localdate(),
        validity_days=30,
        dues_paid_until=date(2026, 1, 1),
    )
    assert transfer.kind == Kind.PAPER_IN and transfer.member.org_id == village().pk


def test_proof_letters_are_for_stays_under_six_months(in_alpha):
    member = new_member()
    with pytest.raises(ApplicationError) as excinfo:
        proof_letter_issue(
            scope=scope("admin"),
            actor=user("admin"),
            member=member,
            destination="深圳",
            reason="外出务工",
            months=6,
        )
    assert excinfo.value.field == "months"
    proof = proof_letter_issue(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        destination="深圳",
        reason="外出务工",
        months=3,
    )
    assert re.match(r"ZM\d{6}-\d{4}-\d{6}", proof.serial)


def test_retention_is_at_most_two_years(in_alpha):
    member = new_member()
    with pytest.raises(ApplicationError) as excinfo:
        retention_start(
            scope=scope("admin"),
            actor=user("admin"),
            member=member,
            reason="毕业未就业",
            started_on=date(2026, 7, 1),
            months=25,
        )
    assert excinfo.value.field == "months"
    r = retention_start(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        reason="毕业未就业",
        started_on=date(2026, 7, 1),
        months=24,
    )
    assert r.ends_on == date(2028, 7, 1)
