"""validate_member's rule for names and free text (zhdj.validation.names), shared by the
pages, the API and the Excel import."""

from __future__ import annotations

import pytest

from tenants.members.validation import validate_member
from tests.tenants.members.conftest import data


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽\u30fb买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
    ],
)
def test_real_names_pass_normalized(village, typed: str, stored: str) -> None:
    member = data(village, name=typed)
    assert validate_member(member) == {}
    assert member.name == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写姓名。"),
        ("张\u202e三", "姓名含有不可见的控制字符或格式字符，请删除后重新输入。"),
        ("张三1", "姓名不能含有数字“1”。"),
    ],
)
def test_what_is_not_a_name_is_an_error_of_the_name(village, typed: str, message: str) -> None:
    assert validate_member(data(village, name=typed))["name"] == [message]


def test_free_text_refuses_control_and_format_characters(village) -> None:
    errors = validate_member(data(village, address="新建路\x008 号", job_title="会计\u2066"))
    assert errors == {
        "job_title": ["工作岗位含有不可见的控制字符或格式字符，请删除后重新输入。"],
        "address": ["家庭住址含有不可见的控制字符或格式字符，请删除后重新输入。"],
    }
