"""Pages of the letter cases: paper-letter registration, 党员证明信 (with its PDF),
组织关系保留. Two counties, several roles; bad input names the field and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.dues.models import DuesBill
from tenants.members.models import Member
from tenants.transfers.models import Kind, ProofLetter, Retention, Transfer
from tenants.transfers.pdf import proof_html
from tenants.transfers.services import proof_letter_issue, retention_start, transfer_start
from tests.conftest import logged_in
from tests.tenants.transfers.conftest import new_member, other_village, scope, user, village
from tests.tenants.transfers.test_letters import _inflated
from zhdj.pii.idnumber import make_id_number


def _errors(response, field: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get(field, []))


def _paper(org_id: int, **overrides: object) -> dict[str, object]:
    today = timezone.localdate()
    data = {
        "org": org_id,
        "name": "持信人",
        "id_number": make_id_number("610802", date(1991, 3, 3), 77, "male"),
        "ethnicity_code": "01",
        "category_code": "full",
        "joined_at": "2015-07-01",
        "full_member_at": "2016-07-01",
        "phone": "13912345678",
        "letter_serial": "陕组转字第0042号",
        "from_name": "中共西安市雁塔区某街道工委",
        "issued_on": (today - timedelta(days=3)).isoformat(),
        "validity_days": 30,
        "dues_paid_until": "2026-01",
    }
    data.update(overrides)
    return data


def _count(schema: str, model) -> int:  # type: ignore[no-untyped-def]
    with schema_context(schema):
        return model.objects.count()


# 外地介绍信转入登记


def test_the_committee_registers_a_member_with_a_paper_letter(db, alpha):
    with schema_context(alpha.schema):
        org = village().pk
    client = logged_in(alpha.host, "townsec")
    assert client.get("/transfers/paper/").status_code == 200
    response = client.post("/transfers/paper/", _paper(org))
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.schema):
        transfer = Transfer.objects.get(kind=Kind.PAPER_IN, letter_serial="陕组转字第0042号")
        assert transfer.member.org_id == org and transfer.member.name == "持信人"
        assert transfer.dues_paid_until == date(2026, 1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "外地纸质介绍信转入" in page and "已完成" in page


def test_an_expired_paper_letter_names_the_field_and_writes_nothing(db, alpha):
    with schema_context(alpha.schema):
        org = village().pk
    before = _count(alpha.schema, Member)
    old = (timezone.localdate() - timedelta(days=45)).isoformat()
    response = logged_in(alpha.host, "admin").post(
        "/transfers/paper/", _paper(org, issued_on=old, validity_days=30)
    )
    assert "已过有效期" in _errors(response, "validity_days")
    assert "有效期（天）：" in response.content.decode()  # the message names the field
    assert _count(alpha.schema, Member) == before


def test_a_bad_id_number_and_a_blank_serial_are_named(db, alpha):
    with schema_context(alpha.schema):
        org = village().pk
    before = _count(alpha.schema, Transfer)
    response = logged_in(alpha.host, "admin").post(
        "/transfers/paper/", _paper(org, letter_serial="", validity_days="一百")
    )
    assert _errors(response, "letter_serial") and _errors(response, "validity_days")
    response = logged_in(alpha.host, "admin").post(
        "/transfers/paper/", _paper(org, id_number="610802199103030000")
    )
    assert "身份" in _errors(response, "id_number") or "校验" in _errors(response, "id_number")
    assert _count(alpha.schema, Transfer) == before


def test_a_branch_secretary_cannot_register_for_the_committee(db, alpha):
    with schema_context(alpha.schema):
        org = village().pk
        before = Member.objects.count()
    response = logged_in(alpha.host, "branchsec").post("/transfers/paper/", _paper(org))
    assert "基层党委" in _errors(response, "org")
    assert _count(alpha.schema, Member) == before


def test_paper_registration_refuses_other_counties_orgs_and_plain_members(db, alpha, beta):
    with schema_context(beta.schema):
        from tenants.orgs.models import Organization

        beta_only = Organization.objects.order_by("-pk").first().pk
    with schema_context(alpha.schema):
        assert not Organization.objects.filter(pk=beta_only).exists()
    response = logged_in(alpha.host, "admin").post("/transfers/paper/", _paper(beta_only))
    assert _errors(response, "org")
    # a page of those who handle transfers: 403
    assert logged_in(alpha.host, "member").get("/transfers/paper/").status_code == 403


# 党员证明信


def test_a_proof_letter_is_issued_and_printed(db, alpha):
    with schema_context(alpha.schema):
        member = new_member(name="外出人")
    client = logged_in(alpha.host, "branchsec")
    assert client.get("/transfers/proofs/new/").status_code == 200
    response = client.post(
        "/transfers/proofs/new/",
        {"member": member.pk, "destination": "深圳市南山区", "reason": "外出务工", "months": 3},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "深圳市南山区" in page and "有效" in page
    with schema_context(alpha.schema):
        proof = ProofLetter.objects.get(member_id=member.pk)
        html = proof_html(proof)
    for text in (proof.serial, "外出人", "深圳市南山区", "外出务工", "叁", "汉族", "正式党员"):
        assert text in html, text
    assert member.id_number in html and "汉族族" not in html
    pdf = client.get(f"/transfers/proofs/{proof.pk}/letter.pdf")
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
    assert pdf.content.startswith(b"%PDF") and b"NotoSansCJK" in _inflated(pdf.content)


def test_six_months_or_more_is_refused_naming_the_months(db, alpha):
    with schema_context(alpha.schema):
        member = new_member()
    before = _count(alpha.schema, ProofLetter)
    response = logged_in(alpha.host, "admin").post(
        "/transfers/proofs/new/",
        {"member": member.pk, "destination": "深圳", "reason": "务工", "months": 6},
    )
    assert "转移组织关系" in _errors(response, "months")
    response = logged_in(alpha.host, "admin").post(
        "/transfers/proofs/new/", {"member": member.pk, "destination": "", "months": "三"}
    )
    assert _errors(response, "destination") and _errors(response, "months")
    assert _errors(response, "reason")
    assert _count(alpha.schema, ProofLetter) == before


def test_proof_letters_follow_the_scope(db, alpha, beta):
    with schema_context(alpha.schema):
        inside = new_member(name="本支部人")
        outside = new_member(other_village(), name="别支部人")
        own = Member.objects.get(user__username="member")
        args = {"scope": scope("admin"), "actor": user("admin"), "reason": "务工", "months": 2}
        p_in = proof_letter_issue(member=inside, destination="广州", **args).pk
        p_out = proof_letter_issue(member=outside, destination="广州", **args).pk
        p_own = proof_letter_issue(member=own, destination="广州", **args).pk
    branchsec = logged_in(alpha.host, "branchsec")
    assert branchsec.get(f"/transfers/proofs/{p_in}/").status_code == 200
    assert branchsec.get(f"/transfers/proofs/{p_out}/").status_code == 404
    assert branchsec.get(f"/transfers/proofs/{p_out}/letter.pdf").status_code == 404
    # branchsec cannot pick a member outside the branch
    response = branchsec.post(
        "/transfers/proofs/new/",
        {"member": outside.pk, "destination": "广州", "reason": "务工", "months": 2},
    )
    assert _errors(response, "member")
    member = logged_in(alpha.host, "member")
    assert member.get("/transfers/proofs/new/").status_code == 403  # not a transfers post
    assert member.get(f"/transfers/proofs/{p_own}/").status_code == 200  # their own
    assert member.get(f"/transfers/proofs/{p_in}/").status_code == 404
    # a proof that exists only in beta is a 404 on alpha's host (ids are per schema:
    # issue in beta until the id is one alpha does not have)
    with schema_context(alpha.schema):
        alpha_max = ProofLetter.objects.order_by("-pk").values_list("pk", flat=True).first()
    with schema_context(beta.schema):
        beta_member = Member.objects.filter(user__username="member").get()
        beta_proof = 0
        while beta_proof <= alpha_max:
            beta_proof = proof_letter_issue(
                scope=scope("admin"),
                actor=user("admin"),
                member=beta_member,
                destination="广州",
                reason="务工",
                months=2,
            ).pk
    admin = logged_in(alpha.host, "admin")
    assert admin.get(f"/transfers/proofs/{beta_proof}/").status_code == 404
    assert admin.get(f"/transfers/proofs/{beta_proof}/letter.pdf").status_code == 404


# 组织关系保留


def test_retention_is_started_and_ended_from_the_pages(db, alpha):
    with schema_context(alpha.schema):
        member = new_member(name="毕业生")
    client = logged_in(alpha.host, "branchsec")
    page = client.get("/transfers/retentions/new/").content.decode()
    assert 'value="24"' in page  # the rule's maximum is the default
    response = client.post(
        "/transfers/retentions/new/",
        {
            "member": member.pk,
            "reason": "毕业后未落实工作单位",
            "started_on": "2026-07-01",
            "months": 24,
        },
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        retention = Retention.objects.get(member_id=member.pk)
    assert retention.ends_on == date(2028, 7, 1)
    listing = client.get("/transfers/?tab=retentions").content.decode()
    assert "毕业生" in listing and "保留中" in listing
    client.post(f"/transfers/retentions/{retention.pk}/end/", {"ended_on": "2026-09-01"})
    with schema_context(alpha.schema):
        retention.refresh_from_db()
    assert retention.ended_on == date(2026, 9, 1)


def test_retention_bad_input_and_scope(db, alpha):
    with schema_context(alpha.schema):
        member = new_member()
        outside = new_member(other_village())
        other = retention_start(
            scope=scope("admin"),
            actor=user("admin"),
            member=outside,
            reason="毕业",
            started_on=date(2026, 7, 1),
            months=12,
        )
    before = _count(alpha.schema, Retention)
    client = logged_in(alpha.host, "branchsec")
    response = client.post(
        "/transfers/retentions/new/",
        {"member": member.pk, "reason": "毕业", "started_on": "2026-07-01", "months": 25},
    )
    assert _errors(response, "months")
    response = client.post(
        "/transfers/retentions/new/",
        {"member": member.pk, "reason": "毕业", "started_on": "七月", "months": 12},
    )
    assert _errors(response, "started_on")
    assert _count(alpha.schema, Retention) == before
    assert (
        client.post(
            f"/transfers/retentions/{other.pk}/end/", {"ended_on": "2026-09-01"}
        ).status_code
        == 404
    )
    assert logged_in(alpha.host, "member").get("/transfers/retentions/new/").status_code == 403
    with schema_context(alpha.schema):
        other.refresh_from_db()
    assert other.ended_on is None


# 开具介绍信: 党费交至 prefilled from the dues record


def _city_out_with_bills(months: list[date]) -> int:
    member = new_member()
    transfer = transfer_start(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        kind=Kind.CITY_OUT,
        reason="考入外省公务员",
        to_name="中共西安市雁塔区委组织部",
    )
    for month in months:  # recorded after the start: the form reads the record of today
        DuesBill.objects.create(
            member=member,
            org=member.org,
            month=month,
            category_code="exempt",
            base_fen=0,
            standard_fen=0,
            amount_fen=0,
            status=DuesBill.Status.EXEMPT,
        )
    return transfer.pk


def test_the_letter_form_takes_dues_paid_until_from_the_dues_record(db, alpha):
    with schema_context(alpha.schema):
        paid = _city_out_with_bills([date(2026, 9, 1), date(2026, 10, 1)])
        blank = _city_out_with_bills([])
    admin = logged_in(alpha.host, "admin")
    page = admin.get(f"/transfers/{paid}/").content.decode()
    assert 'name="dues_paid_until" value="2026-10"' in page
    assert "根据党费缴纳记录自动填写：已交清至2026年10月" in page
    page = admin.get(f"/transfers/{blank}/").content.decode()
    assert "党费记录中没有已交清的月份" in page
    # the committee may still correct it: the posted month is what the letter prints
    admin.post(
        f"/transfers/{paid}/letter/",
        {
            "validity_days": 30,
            "dues_paid_until": "2026-11",
            "sender_address": "榆林市榆阳区新建路1号",
            "sender_phone": "0912-3333333",
            "sender_postcode": "719000",
        },
    )
    with schema_context(alpha.schema):
        assert Transfer.objects.get(pk=paid).dues_paid_until == date(2026, 11, 1)
