"""The applicant's name and free text follow zhdj.validation.names (person_fill)."""

from __future__ import annotations

import pytest

from tenants.development.models import DevelopmentRecord
from tenants.development.person import person_fill
from tests.tenants.development.path import person
from zhdj.errors import ApplicationError


def test_the_applicants_name_is_normalized(w):
    data = person(w.village)
    data.name = "热依拉\u30fb艾买提"
    record = DevelopmentRecord()
    person_fill(record, data, scope=w.branch_scope)
    assert record.name == "热依拉·艾买提"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "张\u202e三", "姓名含有不可见的控制字符或格式字符"),
        ("name", "张三1", "姓名不能含有数字"),
        ("address", "某村\x003 组", "家庭住址含有不可见的控制字符或格式字符"),
        ("job_title", "文书\u200b", "工作单位及职务含有不可见的控制字符或格式字符"),
    ],
)
def test_what_is_not_a_name_or_text_is_refused_by_field(w, field, value, message):
    data = person(w.village)
    setattr(data, field, value)
    with pytest.raises(ApplicationError, match=message) as exc:
        person_fill(DevelopmentRecord(), data, scope=w.branch_scope)
    assert exc.value.field == field
