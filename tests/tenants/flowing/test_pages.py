"""The flowing-members pages as people use them: the branch secretary registers a member
going out (the wrong paper refused with the rule, nothing typed lost), the town committee
issues the card, prints it, and its public QR page shows it valid, then void after the
return; the member reads the card and reports on the phone; deadlines, contacts, 失联 with
the password step and the groups. Another county and other roles reach nothing of it."""

from __future__ import annotations

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.interchange.models import LetterRecord
from tenants.flowing.models import ContactLog, FlowingGroup, Outflow
from tenants.members.models import Member
from tests.conftest import host_client, logged_in
from tests.support.world import CITY_HOST, PASSWORD

TODAY = timezone.localdate()


def _member_id(alpha, username: str = "member") -> int:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return Member.objects.get(user__username=username).pk


def _form(member_id: int, **kw: str) -> dict[str, str]:
    values = {
        "member": str(member_id),
        "reason": "work",
        "destination_code": "440000",
        "place": "深圳市某电子厂",
        "starts_on": (TODAY - timedelta(days=3)).isoformat(),
        "ends_on": (TODAY + relativedelta(months=11)).isoformat(),
        "contact": "13800000000",
        "paper": "card",
        "dues_place": "home",
        "note": "",
    }
    return values | kw


def _register(client, alpha, **kw) -> int:  # type: ignore[no-untyped-def]
    page = client.post("/flowing/new/", _form(_member_id(alpha), **kw))
    assert page.status_code == 302, page.content.decode()[:3000]
    return int(re.search(r"/flowing/(\d+)/$", page["Location"]).group(1))


def test_register_issue_print_verify_report_return(db, alpha, beta):
    sec = logged_in(alpha.host, "branchsec")
    assert "外出登记" in sec.get("/flowing/new/").content.decode()

    # The wrong paper: refused with the rule's reason, every typed value kept.
    short = _form(
        _member_id(alpha),
        ends_on=(TODAY + relativedelta(months=3)).isoformat(),
        place="西安市某工地（短期）",
        note="随施工队外出",
    )
    refused = sec.post("/flowing/new/", short)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "按规定应为“党员证明信”" in html and "不满" in html
    assert "西安市某工地（短期）" in html and "随施工队外出" in html and short["ends_on"] in html
    assert 'value="440000" selected' in html and "13800000000" in html
    bad = sec.post("/flowing/new/", _form(_member_id(alpha), ends_on="2020-02-30"))
    assert bad.status_code == 400 and "深圳市某电子厂" in bad.content.decode()
    before = sec.post(
        "/flowing/new/", _form(_member_id(alpha), ends_on=(TODAY - timedelta(days=5)).isoformat())
    )
    assert before.status_code == 400 and "预计返回日期应晚于外出日期" in before.content.decode()
    hint = sec.get(
        "/flowing/new/paper/",
        {"starts_on": short["starts_on"], "ends_on": short["ends_on"]},
    ).content.decode()
    assert "党员证明信" in hint
    assert "填写外出日期" in sec.get("/flowing/new/paper/?starts_on=x").content.decode()

    outflow_id = _register(sec, alpha)
    detail = sec.get(f"/flowing/{outflow_id}/").content.decode()
    assert "广东省" in detail and "外出务工经商" in detail and "跨省流动" in detail
    assert 'data-testid="issue-card"' not in detail  # the base committee issues it
    assert "活动证由" in detail
    listing = sec.get("/flowing/").content.decode()
    assert "广东省" in listing and "外出中" in listing and "data-direction" in listing
    assert sec.get("/flowing/?direction=nowhere").status_code == 400

    town = logged_in(alpha.host, "townsec")
    assert sec.post(f"/flowing/{outflow_id}/issue/").status_code in (400, 403)
    assert town.post(f"/flowing/{outflow_id}/issue/").status_code == 302
    with schema_context(alpha.schema):
        outflow = Outflow.objects.get(pk=outflow_id)
    assert outflow.card_serial
    pdf = town.get(f"/flowing/{outflow_id}/card.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    public = host_client(CITY_HOST)
    verify = public.get(f"/letters/{outflow.card_token}/").content.decode()
    assert "流动党员活动证核验" in verify and "流入地" in verify and "有效" in verify
    assert "接收党组织" not in verify
    with schema_context(alpha.schema):
        name = Member.objects.get(pk=outflow.member_id).name
    assert name not in verify

    member = logged_in(alpha.host, "member")
    mine = member.get("/flowing/mine/").content.decode()
    assert outflow.card_serial in mine and "广东省" in mine and 'data-testid="card-qr"' in mine
    assert "县级党委组织部门" in mine  # not a county of this city
    empty = member.post("/flowing/mine/report/", {"on": TODAY.isoformat(), "way": "手机报告"})
    assert empty.status_code == 400 and "必填项" in empty.content.decode()
    assert "手机报告" in empty.content.decode()
    sent = member.post(
        "/flowing/mine/report/",
        {"on": TODAY.isoformat(), "way": "手机报告", "note": "在深圳务工，参加园区党支部活动"},
    )
    assert sent.status_code == 302
    assert "参加园区党支部活动" in member.get("/flowing/mine/").content.decode()
    assert "参加园区党支部活动" in sec.get(f"/flowing/{outflow_id}/").content.decode()
    own = member.get(f"/flowing/{outflow_id}/card.pdf")  # the member prints their own card
    assert own.status_code == 200 and own.content.startswith(b"%PDF")

    no_card = sec.post(f"/flowing/{outflow_id}/return/", {"returned_on": TODAY.isoformat()})
    assert no_card.status_code == 400 and "交回流动党员活动证" in no_card.content.decode()
    assert (
        sec.post(
            f"/flowing/{outflow_id}/return/",
            {"returned_on": TODAY.isoformat(), "card_returned": "on"},
        ).status_code
        == 302
    )
    void = public.get(f"/letters/{outflow.card_token}/").content.decode()
    assert "已交回或注销" in void
    assert LetterRecord.objects.get(token=outflow.card_token).state == "void"
    assert sec.get(f"/flowing/{outflow_id}/card.pdf").status_code == 404  # no void card printed
    assert 'data-testid="no-outflow"' in member.get("/flowing/mine/").content.decode()

    # Others reach nothing of it.
    assert member.get(f"/flowing/{outflow_id}/").status_code == 403
    assert member.get("/flowing/").status_code == 403
    assert member.get(f"/flowing/{outflow_id}/card.pdf").status_code == 404  # handed back
    other = logged_in(beta.host, "branchsec")
    assert other.get(f"/flowing/{outflow_id}/").status_code == 404
    assert other.get(f"/flowing/{outflow_id}/card.pdf").status_code == 404
    assert other.post(f"/flowing/{outflow_id}/return/", {}).status_code == 404
    assert "广东省" not in other.get("/flowing/?state=all").content.decode()
    admin = logged_in(alpha.host, "admin")
    assert "广东省" in admin.get("/flowing/?state=all").content.decode()
    assert admin.get(f"/flowing/{outflow_id}/").status_code == 200


def test_contacts_lost_contact_and_deadlines(db, alpha, beta):
    sec = logged_in(alpha.host, "branchsec")
    start = TODAY - relativedelta(months=8)
    outflow_id = _register(
        sec,
        alpha,
        starts_on=start.isoformat(),
        ends_on=(start + relativedelta(months=14)).isoformat(),
    )
    member_id = _member_id(alpha)
    due = sec.get("/flowing/deadlines/").content.decode()
    assert (
        "长期未联系" in due and "已到期" in due and f"/flowing/members/{member_id}/contact/" in due
    )

    bad = sec.post(
        f"/flowing/members/{member_id}/contact/",
        {"kind": "search", "on": (TODAY + timedelta(days=2)).isoformat(), "way": "电话"},
    )
    assert bad.status_code == 400 and "必填项" in bad.content.decode()
    assert "电话" in bad.content.decode()
    later = sec.post(
        f"/flowing/members/{member_id}/contact/",
        {
            "kind": "search",
            "on": (TODAY + timedelta(days=2)).isoformat(),
            "way": "电话",
            "note": "关机",
        },
    )
    assert later.status_code == 400 and "不能晚于今天" in later.content.decode()
    ok = sec.post(
        f"/flowing/members/{member_id}/contact/",
        {"kind": "search", "on": TODAY.isoformat(), "way": "电话", "note": "连续三天关机"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith(f"/flowing/{outflow_id}/")

    # 标记失联: the password step; a wrong password keeps what was typed.
    page = sec.get(f"/flowing/{outflow_id}/lost/")
    assert page.status_code == 200 and "登录密码" in page.content.decode()
    form = {
        "since": TODAY.isoformat(),
        "code": "",
        "steps": "电话、走访家属均未联系上",
        "confirmed": "on",
        "password": "wrong-password",
    }
    with schema_context(alpha.schema):
        from shared.standards.models import CodeTable
        from shared.standards.selectors import code_choices

        code = code_choices(CodeTable.LOST_CONTACT)[0][0]
    missing = sec.post(f"/flowing/{outflow_id}/lost/", form)
    assert missing.status_code == 400 and "请选择失联情形" in missing.content.decode()
    wrong = sec.post(f"/flowing/{outflow_id}/lost/", form | {"code": code})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    assert "电话、走访家属均未联系上" in wrong.content.decode()
    done = sec.post(f"/flowing/{outflow_id}/lost/", form | {"code": code, "password": PASSWORD})
    assert done.status_code == 302
    with schema_context(alpha.schema):
        assert Member.objects.get(pk=member_id).lost_contact
        assert ContactLog.objects.filter(member_id=member_id, kind="search").count() == 2
    due = sec.get("/flowing/deadlines/").content.decode()
    assert "应停止党籍" in due and "2 次" in due and f"/members/{member_id}/status/" in due
    assert "失联" in sec.get("/flowing/").content.decode()

    with schema_context(alpha.schema):
        name = Member.objects.get(pk=member_id).name
    other = logged_in(beta.host, "branchsec")
    assert other.get(f"/flowing/members/{member_id + 100000}/contact/").status_code == 404
    assert name not in other.get(f"/flowing/members/{member_id}/contact/").content.decode()
    assert "应停止党籍" not in other.get("/flowing/deadlines/").content.decode()
    assert logged_in(alpha.host, "member").get("/flowing/deadlines/").status_code == 403


def test_groups_for_members_gone_to_one_place(db, alpha):
    from tenants.access.scope import scope_for
    from tenants.flowing.services import Going, outflow_register
    from tenants.members.services import member_create  # noqa: F401  (world members below)

    with schema_context(alpha.schema):
        from shared.accounts.models import User

        secretary = User.objects.get(username="branchsec")
        scope = scope_for(secretary)
        people = list(
            Member.objects.visible_to(scope).filter(party_status_code="normal", lost_contact=False)
        )[:3]
        for person in people:
            outflow_register(
                scope=scope,
                member=person,
                going=Going(
                    reason="work",
                    destination_code="440000",
                    place="深圳",
                    starts_on=TODAY,
                    ends_on=TODAY + relativedelta(months=12),
                    contact="13800000000",
                    paper="card",
                ),
                actor=secretary,
            )
        village = people[0].org_id
    assert len(people) == 3
    sec = logged_in(alpha.host, "branchsec")
    page = sec.get("/flowing/groups/").content.decode()
    assert "广东省" in page and "3 人" in page
    with schema_context(alpha.schema):
        ids = list(Outflow.objects.values_list("pk", flat=True))
    empty = sec.post(
        "/flowing/groups/new/",
        {"suggestion": "0", "g0-org": str(village), "g0-kind": "group", "g0-name": "",
         "g0-outflows": [str(i) for i in ids]},
    )  # fmt: skip
    assert empty.status_code == 400 and "必填项" in empty.content.decode()
    two = sec.post(
        "/flowing/groups/new/",
        {"suggestion": "0", "g0-org": str(village), "g0-kind": "group",
         "g0-name": "深圳流动党员党小组", "g0-outflows": [str(i) for i in ids[:2]]},
    )  # fmt: skip
    assert two.status_code == 400 and "至少选择" in two.content.decode()
    assert "深圳流动党员党小组" in two.content.decode()
    made = sec.post(
        "/flowing/groups/new/",
        {"suggestion": "0", "g0-org": str(village), "g0-kind": "group",
         "g0-name": "深圳流动党员党小组", "g0-outflows": [str(i) for i in ids]},
    )  # fmt: skip
    assert made.status_code == 302
    with schema_context(alpha.schema):
        assert FlowingGroup.objects.get().outflows.count() == 3
    page = sec.get("/flowing/groups/").content.decode()
    assert "深圳流动党员党小组" in page and 'data-testid="no-suggestions"' in page
    assert sec.post("/flowing/groups/new/", {"suggestion": "9"}).status_code == 302


def test_menus_and_empty_pages_for_every_role(db, alpha, beta):
    for username in ("branchsec", "townsec", "admin"):
        client = logged_in(alpha.host, username)
        home = client.get("/flowing/").content.decode()
        assert "流动党员" in home and 'href="/flowing/"' in home
        for path in ("/flowing/deadlines/", "/flowing/groups/", "/flowing/new/"):
            assert client.get(path).status_code == 200, (username, path)
    member = logged_in(alpha.host, "member")
    page = member.get("/flowing/mine/")
    assert page.status_code == 200 and "我的活动证" in page.content.decode()
    assert 'href="/flowing/mine/"' in page.content.decode()
    for path in ("/flowing/", "/flowing/new/", "/flowing/groups/", "/flowing/deadlines/"):
        assert member.get(path).status_code == 403
    assert logged_in(beta.host, "member").get("/flowing/mine/").status_code == 200
