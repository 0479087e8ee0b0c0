"""Pages and API through tenant and organization scope: nothing leaks."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.dues.billing import bills_generate
from tenants.dues.calc import add_months, month_start
from tenants.dues.models import DuesBill, DuesPayment
from tenants.dues.services import dues_base_set
from tenants.members.models import Member
from tenants.notifications.models import Notification
from tests.conftest import logged_in


def _bill_everyone(county) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Bases for every member of the county, this month's bills; names → member ids."""
    with schema_context(county.schema):
        admin = scope_for(User.objects.get(username="admin"))
        month = timezone.localdate().replace(day=1)
        ids = {}
        for member in Member.objects.all():
            dues_base_set(
                scope=admin,
                member=member,
                category_code="retired",
                base_fen=500001,
                from_month=month,
                actor=None,
            )
            ids[member.name] = member.pk
        bills_generate(scope=Scope.system(), month=month)
        return ids


def test_overview_shows_collection_by_organization_within_scope(db, alpha):
    _bill_everyone(alpha)
    page = logged_in(alpha.host, "branchsec").get("/dues/")
    text = page.content.decode()
    assert page.status_code == 200 and "某村党支部" in text
    assert "赵其他" not in text  # 另一村党支部 is outside the branch secretary's subtree
    assert "李支书" in text  # unpaid in their own branch
    town = logged_in(alpha.host, "townsec").get("/dues/").content.decode()
    assert "赵其他" in town and "另一村党支部" in town


def test_a_member_without_posts_is_sent_to_their_own_statement(db, alpha):
    _bill_everyone(alpha)
    client = logged_in(alpha.host, "member")
    assert client.get("/dues/")["Location"].endswith("/dues/mine/")
    mine = client.get("/dues/mine/").content.decode()
    assert "¥50.00" in mine  # 5000.01 元 pension × 1%
    assert client.get("/dues/export/").status_code == 403


def test_beta_ids_on_alpha_host_are_not_found(db, alpha, beta):
    _bill_everyone(alpha)
    beta_ids = _bill_everyone(beta)
    with schema_context(alpha.schema):
        alpha_ids = set(Member.objects.values_list("pk", flat=True))
    only_beta = [i for i in beta_ids.values() if i not in alpha_ids] or [max(alpha_ids) + 1000]
    admin = logged_in(alpha.host, "admin")
    for member_id in only_beta:
        assert admin.get(f"/dues/members/{member_id}/").status_code == 404
    with schema_context(beta.schema):
        bill = DuesBill.objects.order_by("-pk").first()
    assert admin.get(f"/api/dues/bills/{bill.pk + 100000}/").status_code == 404


def test_a_branch_secretary_cannot_open_a_member_outside_the_subtree(db, alpha):
    ids = _bill_everyone(alpha)
    client = logged_in(alpha.host, "branchsec")
    assert client.get(f"/dues/members/{ids['赵其他']}/").status_code == 404
    assert client.get(f"/dues/members/{ids['李支书']}/").status_code == 200


def test_the_api_gives_a_member_only_their_own_bills(db, alpha):
    ids = _bill_everyone(alpha)
    rows = logged_in(alpha.host, "member").get("/api/dues/bills/").json()["results"]
    assert {r["member"] for r in rows} == {ids[f"{alpha.name}党员"]}
    admin_rows = logged_in(alpha.host, "admin").get("/api/dues/bills/").json()["results"]
    assert len(admin_rows) == len(ids)


def test_export_is_an_excel_workbook_of_the_scope(db, alpha):
    _bill_everyone(alpha)
    response = logged_in(alpha.host, "branchsec").get("/dues/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    names = [row[1].value for row in wb["明细"].iter_rows(min_row=2)]
    assert "李支书" in names and "赵其他" not in names


def test_reminders_reach_members_with_unpaid_bills_in_scope(db, alpha):
    _bill_everyone(alpha)
    client = logged_in(alpha.host, "branchsec")
    assert client.post("/dues/remind/").status_code == 302
    with schema_context(alpha.schema):
        told = set(
            Notification.objects.filter(title="党费交纳提醒").values_list(
                "recipient__username", flat=True
            )
        )
    assert told == {"member", "branchsec", "townsec"}  # all with logins in 某村党支部


@pytest.mark.parametrize("base", ["abc", "-1", "12.345"])
def test_a_bad_base_gets_a_chinese_error_and_saves_nothing(db, alpha, base):
    ids = _bill_everyone(alpha)
    client = logged_in(alpha.host, "admin")
    page = client.post(
        f"/dues/members/{ids['赵其他']}/",
        {
            "action": "base",
            "base-category_code": "in_service",
            "base-base": base,
            "base-from_month": "2026-01",
        },
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "基数" in text and ("两位小数" in text or "负数" in text or "正确" in text)


def _member_bills(county, months: list[date], paid: list[date] = ()) -> None:  # type: ignore[no-untyped-def,assignment]
    """The member's bills for ``months`` (those after this month made ahead, as the
    county admin once could), ``paid`` marked paid."""
    current = month_start(timezone.localdate())
    with schema_context(county.schema):
        member = Member.objects.get(user__username="member")
        dues_base_set(
            scope=scope_for(User.objects.get(username="admin")),
            member=member,
            category_code="retired",
            base_fen=500001,
            from_month=min(months),
            actor=None,
        )
        for month in months:
            bills_generate(scope=Scope.system(), month=month, today=max(month, current))
        DuesBill.objects.filter(member=member, month__in=paid).update(status="paid")


def _ym(month: date) -> str:
    return f"{month.year}年{month.month}月"


def test_a_bill_made_ahead_is_not_yet_due_on_the_members_page(db, alpha):
    current = month_start(timezone.localdate())
    ahead = add_months(current, 3)
    _member_bills(alpha, [current, ahead], paid=[current])
    text = logged_in(alpha.host, "member").get("/dues/mine/").content.decode()
    assert 'data-testid="all-paid"' in text  # nothing due is unpaid
    assert f"{_ym(ahead)} 尚未到期" in text
    row = re.search(rf'<tr data-month="{ahead:%Y-%m}".*?</tr>', text, re.S)
    assert row and "未到期" in row.group(0) and "未交" not in row.group(0)
    assert 'data-testid="pay-form"' not in text


def test_an_unpaid_bill_past_the_online_window_is_never_all_paid(db, alpha):
    old = add_months(month_start(timezone.localdate()), -8)
    _member_bills(alpha, [old])
    text = logged_in(alpha.host, "member").get("/dues/mine/").content.decode()
    assert 'data-testid="all-paid"' not in text and "已交清" not in text
    assert f"{_ym(old)} 未交，已超出在线补交期限，请联系党支部补交。" in text


def test_the_admin_cannot_generate_bills_for_a_month_not_yet_due(db, alpha):
    current = month_start(timezone.localdate())
    admin = logged_in(alpha.host, "admin")
    for month, words in (
        (add_months(current, 3), "尚未到期，不能提前生成账单"),
        (add_months(current, -8), "已超出补交期限"),
    ):
        page = admin.post(f"/dues/generate/?month={month:%Y-%m}", follow=True)
        assert page.redirect_chain[-1][0].endswith(f"/dues/?month={month:%Y-%m}")
        assert f"{_ym(month)}{words}" in page.content.decode()
        with schema_context(alpha.schema):
            assert not DuesBill.objects.filter(month=month).exists()
    page = admin.post(f"/dues/generate/?month={current:%Y-%m}", follow=True)
    assert "已生成" in page.content.decode()


def test_a_wrong_voluntary_amount_is_told_under_the_field_and_keeps_the_entry(db, alpha):
    current = month_start(timezone.localdate())
    _member_bills(alpha, [current])
    client = logged_in(alpha.host, "member")
    page = client.post("/dues/mine/pay/", {"channel": "wechat", "voluntary": "abc"})
    assert page.status_code == 200
    text = page.content.decode()
    message = "请填写正确的金额（元），例如 10 或 10.50。"
    assert text.count(message) == 1 and "（元）（元）" not in text
    field = re.search(r'<div class="field">.*?</div>', text[text.index("pay-form") :], re.S)
    assert field and 'name="voluntary"' in field.group(0) and message in field.group(0)
    assert 'value="abc"' in field.group(0)
    assert re.search(r'<input[^>]*value="wechat"[^>]*checked', text)
    assert not re.search(r'<input[^>]*value="alipay"[^>]*checked', text)
    with schema_context(alpha.schema):
        assert not DuesPayment.objects.exists()
