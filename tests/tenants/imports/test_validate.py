from __future__ import annotations

import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook

from tenants.access.scope import Scope
from tenants.imports.columns import HEADERS
from tenants.imports.validate import Plan, plan_import
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.tenants.imports.conftest import (
    OTHER_VILLAGE,
    TOWN,
    id_number,
    row,
    scope_of,
    workbook,
)

pytestmark = pytest.mark.django_db


def _plan(rows, *, username: str = "admin", headers=None) -> Plan:  # type: ignore[no-untyped-def]
    content = workbook(rows, headers=headers)
    return plan_import(BytesIO(content), scope=scope_of(username))


def _errors_at(plan: Plan, row_number: int, column: str) -> list[str]:
    return [m for r, c, m in plan.errors if r == row_number and c == column]


def test_a_good_file_plans_creates_with_normalized_data(in_alpha):
    plan = _plan([row(1), row(2, 姓名="李四", 公民身份号码=id_number(2).lower(), 性别="女")])
    assert plan.errors == [] and plan.ok
    assert [r.row for r in plan.creates] == [2, 3]
    first = plan.creates[0].data
    assert first.sex == "female" and first.birth_date == date(1992, 5, 17)
    assert (first.ethnicity_code, first.education_code, first.category_code) == ("01", "21", "full")
    assert first.occupation_code == "worker" and first.org.name.endswith("某村党支部")
    assert plan.creates[1].data.id_number == id_number(2)  # normalized upper case


def test_wrong_checksum_is_reported_by_row_and_column(in_alpha):
    good = id_number(3)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    plan = _plan([row(1), row(3, 公民身份号码=bad)])
    assert not plan.ok
    assert any("校验位" in m for m in _errors_at(plan, 3, "公民身份号码"))
    assert len(plan.errors) == 1


def test_swapped_dates_are_reported(in_alpha):
    plan = _plan([row(1, 加入党组织日期="2016-07-01", 转为正式党员日期="2015-07-01")])
    assert any("晚于加入党组织日期" in m for m in _errors_at(plan, 2, "转为正式党员日期"))


def test_joining_before_birth_is_reported(in_alpha):
    plan = _plan([row(1, 加入党组织日期="1990-01-01", 转为正式党员日期="1991-01-01")])
    assert any("晚于出生日期" in m for m in _errors_at(plan, 2, "加入党组织日期"))


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("不存在的党支部", "找不到"), (TOWN, "不能直接编入党员"), ("", "请填写所在党支部")],
)
def test_unknown_or_unfit_organization_is_reported(in_alpha, name, fragment):
    plan = _plan([row(1, 所在党支部=name or None)])
    messages = _errors_at(plan, 2, "所在党支部")
    assert len(messages) == 1, plan.errors
    assert fragment in messages[0]


def test_a_dissolved_branch_is_not_fit(in_alpha):
    Organization.objects.filter(name=OTHER_VILLAGE).update(is_active=False)
    plan = _plan([row(1, 所在党支部=OTHER_VILLAGE)])
    assert any("不能直接编入党员" in m for m in _errors_at(plan, 2, "所在党支部"))


def test_an_ambiguous_organization_name_is_reported(in_alpha):
    root = Organization.objects.get_root_nodes().get()
    org_create(scope=Scope.system(), parent=root, name=OTHER_VILLAGE, type_code="branch")
    plan = _plan([row(1, 所在党支部=OTHER_VILLAGE)])
    assert any("无法确定" in m for m in _errors_at(plan, 2, "所在党支部"))


def test_code_names_must_be_in_the_code_tables(in_alpha):
    plan = _plan([row(1, 民族="火星族", 学历="博士后", 人员类别="积极分子", 职业="宇航员")])
    assert _errors_at(plan, 2, "民族") == ["民族“火星族”不在代码表中。"]
    assert _errors_at(plan, 2, "学历") and _errors_at(plan, 2, "人员类别")
    assert _errors_at(plan, 2, "职业")


def test_former_ethnicity_names_are_understood(in_alpha):
    plan = _plan([row(1, 民族="毛难族")])
    assert plan.ok and plan.creates[0].data.ethnicity_code != ""


@pytest.mark.parametrize(
    "value", ["2015.07.01", "2015/7/1", "2015年7月1日", datetime(2015, 7, 1), date(2015, 7, 1)]
)
def test_dates_may_be_excel_dates_or_text(in_alpha, value):
    plan = _plan([row(1, 加入党组织日期=value)])
    assert plan.ok, plan.errors
    assert plan.creates[0].data.joined_at == date(2015, 7, 1)


@pytest.mark.parametrize("value", ["2015-13-01", "去年七月", 42186])
def test_bad_dates_are_reported_once(in_alpha, value):
    plan = _plan([row(1, 加入党组织日期=value)])
    messages = _errors_at(plan, 2, "加入党组织日期")
    assert len(messages) == 1 and "不是有效日期" in messages[0]


def test_sex_must_agree_with_the_id_number(in_alpha):
    plan = _plan([row(1, 性别="男"), row(2, 性别="未知")])
    assert any("不一致" in m for m in _errors_at(plan, 2, "性别"))
    assert any("男" in m and "女" in m for m in _errors_at(plan, 3, "性别"))


def test_an_id_number_stored_as_a_number_gets_a_hint(in_alpha):
    plan = _plan([row(1, 公民身份号码=6.10802199205171e17)])
    assert any("文本" in m for m in _errors_at(plan, 2, "公民身份号码"))


def test_probationary_members_have_no_full_membership_date(in_alpha):
    plan = _plan([row(1, 人员类别="预备党员")])
    assert any("预备党员" in m for m in _errors_at(plan, 2, "转为正式党员日期"))


def test_full_members_need_a_full_membership_date(in_alpha):
    plan = _plan([row(1, 转为正式党员日期=None)])
    assert _errors_at(plan, 2, "转为正式党员日期")


def test_phone_and_lengths_are_checked(in_alpha):
    plan = _plan([row(1, 手机号="12345", 工作岗位="岗" * 101)])
    assert any("11 位" in m for m in _errors_at(plan, 2, "手机号"))
    assert any("100" in m for m in _errors_at(plan, 2, "工作岗位"))


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        (["姓名", "身份证号", *HEADERS[2:]], "第 2 列应为“公民身份号码”，实为“身份证号”"),
        (list(HEADERS[:-1]), "第 14 列应为“家庭住址”，缺少该列"),
        ([*HEADERS, "备注"], "多出 “备注” 列"),
        ([], "第 1 行应为表头"),
    ],
)
def test_wrong_headers_give_one_clear_error(in_alpha, headers, fragment):
    plan = _plan([row(1)], headers=headers)
    assert len(plan.errors) == 1, plan.errors
    number, column, message = plan.errors[0]
    assert number == 0 and column == ""
    assert fragment in message, message
    assert "、".join(HEADERS) in message  # names every expected header
    assert plan.rows == []


def test_headers_may_carry_marks_and_export_columns(in_alpha):
    headers = ["姓名*", *HEADERS[1:2], "性别（可空）", *HEADERS[3:], "出生日期", "党籍状态"]
    plan = _plan([[*row(1), "1992-05-17", "正常"]], headers=headers)
    assert plan.ok, plan.errors


def test_empty_rows_are_skipped_and_row_numbers_stay_excel_numbers(in_alpha):
    blank = [None] * len(HEADERS)
    spaces = ["  "] * len(HEADERS)
    bad = id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")
    plan = _plan([row(1), blank, spaces, row(2, 公民身份号码=bad), blank])
    assert plan.total == 2
    assert [e[0] for e in plan.errors] == [5]


def test_a_file_without_data_rows_is_an_error(in_alpha):
    plan = _plan([[None] * len(HEADERS)])
    assert [m for _, _, m in plan.errors] == ["表格中没有党员数据。"]


def test_duplicate_id_numbers_within_the_file_are_reported(in_alpha):
    plan = _plan([row(1), row(2), row(1, 姓名="张三重")])
    assert _errors_at(plan, 4, "公民身份号码") == ["与第 2 行的公民身份号码重复。"]
    assert not _errors_at(plan, 2, "公民身份号码")


def test_not_a_workbook_is_one_error(in_alpha):
    plan = plan_import(BytesIO(b"name,id\n"), scope=scope_of("admin"))
    assert len(plan.errors) == 1 and ".xlsx" in plan.errors[0][2]


def test_the_members_sheet_is_found_by_name(in_alpha):
    wb = Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("党员信息")
    ws.append(list(HEADERS))
    ws.append(row(1))
    buffer = BytesIO()
    wb.save(buffer)
    plan = plan_import(BytesIO(buffer.getvalue()), scope=scope_of("admin"))
    assert plan.ok, plan.errors


def test_existing_members_are_matched_by_id_number(in_alpha):
    existing = Member.objects.get(name="榆阳区党员")
    plan = _plan([row(1), row(9, 姓名="榆阳区党员", 公民身份号码=existing.id_number, 性别=None)])
    assert plan.errors == [], plan.errors
    assert [r.member_id for r in plan.updates] == [existing.pk]
    assert len(plan.creates) == 1


def test_a_branch_secretary_cannot_import_into_another_branch(in_alpha):
    plan = _plan([row(1), row(2, 所在党支部=OTHER_VILLAGE)], username="branchsec")
    assert _errors_at(plan, 3, "所在党支部") == [f"“{OTHER_VILLAGE}”不在您的管理范围内。"]
    assert not _errors_at(plan, 2, "所在党支部")


def test_a_branch_secretary_cannot_update_a_member_of_another_branch(in_alpha):
    other = Member.objects.get(name="赵其他")
    plan = _plan([row(1, 姓名="赵其他", 公民身份号码=other.id_number)], username="branchsec")
    assert any("管理范围以外" in m for m in _errors_at(plan, 2, "公民身份号码"))
    assert plan.updates == [] or not plan.ok


def test_error_messages_never_repeat_id_numbers(in_alpha):
    good = id_number(3)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    plan = _plan([row(3, 公民身份号码=bad), row(1), row(1)])
    text = " ".join(m for _, _, m in plan.errors)
    assert bad not in text and id_number(1) not in text


def test_a_damaged_workbook_is_one_error(in_alpha):
    source = zipfile.ZipFile(BytesIO(workbook([row(1)] * 3)))
    damaged = BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the rows
            target.writestr(item, data)
    plan = plan_import(BytesIO(damaged.getvalue()), scope=scope_of("admin"))
    assert [e[0] for e in plan.errors] == [0]
    assert "损坏" in plan.errors[0][2], plan.errors
    assert plan.rows == []


def test_the_name_column_follows_the_name_rule(in_alpha):
    plan = _plan(
        [
            row(1, 姓名="艾力\u30fb库尔班"),
            row(2, 姓名="张\u202e三"),
            row(3, 姓名="张三1"),
        ]
    )
    assert plan.creates[0].data.name == "艾力·库尔班"  # the dot as typed, normalized
    assert _errors_at(plan, 3, "姓名") == ["姓名含有不可见的控制字符或格式字符，请删除后重新输入。"]
    assert _errors_at(plan, 4, "姓名") == ["姓名不能含有数字“1”。"]
