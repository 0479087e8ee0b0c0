"""Validation of a member record (党员信息校验), rules of domain-rules §6.

Every error names its field in Chinese; the same checks serve the pages, the API and
the Excel import (which reports them by row and column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import is_valid_code
from tenants.orgs.models import Organization
from zhdj.pii.idnumber import (
    MSG_BIRTH_DATE_DISAGREES,
    MSG_SEX_DISAGREES,
    age_on,
    check_agrees,
    validate_id_number,
)
from zhdj.validation.names import name_problem, normalize_name, text_problem

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MIN_JOINING_AGE = 18
# Free text that must at least hold no control or format characters (zhdj.validation.names).
FREE_TEXT = ("job_title", "landline", "address")
CODE_FIELDS = {
    "ethnicity_code": CodeTable.ETHNICITY,
    "education_code": CodeTable.EDUCATION,
    "category_code": CodeTable.MEMBER_CATEGORY,
    "occupation_code": CodeTable.OCCUPATION,
}

FIELD_LABELS = {
    "org": "所在党支部",
    "name": "姓名",
    "id_number": "公民身份号码",
    "sex": "性别",
    "ethnicity_code": "民族",
    "birth_date": "出生日期",
    "education_code": "学历",
    "category_code": "人员类别",
    "joined_at": "加入党组织日期",
    "full_member_at": "转为正式党员日期",
    "job_title": "工作岗位",
    "occupation_code": "职业",
    "phone": "手机号",
    "landline": "固定电话",
    "address": "家庭住址",
}


@dataclass
class MemberData:
    """The editable fields of a member record (status fields change only by action)."""

    org: Organization | None
    name: str
    id_number: str
    ethnicity_code: str
    category_code: str
    joined_at: date | None
    sex: str = ""
    birth_date: date | None = None
    education_code: str = ""
    full_member_at: date | None = None
    job_title: str = ""
    occupation_code: str = ""
    phone: str = ""
    landline: str = ""
    address: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


Errors = dict[str, list[str]]


def validate_member(
    data: MemberData, *, today: date | None = None, kept: dict[str, str] | None = None
) -> Errors:
    """All errors of ``data`` by field; fills ``sex`` and ``birth_date`` from the ID number
    when they are blank (they must agree with it when given). ``kept``: the codes the
    record already has, accepted unchanged even when withdrawn from the code table (an
    edit must not fail on a field nobody touched)."""
    today = today or timezone.localdate()
    errors: Errors = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    data.name = normalize_name(data.name)
    problem = name_problem(data.name)
    if problem:
        err("name", problem)
    elif len(data.name) > 32:
        err("name", "姓名不能超过 32 个字。")
    for field in FREE_TEXT:
        problem = text_problem(getattr(data, field) or "", label=FIELD_LABELS[field])
        if problem:
            err(field, problem)

    _check_identity(data, err, today)
    _check_codes(data, err, kept or {})
    _check_dates(data, err, today)
    _check_org(data, err)

    data.phone = (data.phone or "").strip()
    if data.phone and not MOBILE_RE.match(data.phone):
        err("phone", "手机号应为 11 位中国大陆手机号码。")
    return errors


def _check_identity(data: MemberData, err, today: date) -> None:  # type: ignore[no-untyped-def]
    try:
        info = validate_id_number(data.id_number, today=today)
    except ValidationError as exc:
        for message in exc.messages:
            err("id_number", message)
        return
    data.id_number = info.value
    if not data.sex:
        data.sex = info.sex
    if data.birth_date is None:
        data.birth_date = info.birth_date
    if data.sex not in ("male", "female"):
        err("sex", "性别只能是男或女。")
        return
    if check_agrees(info, birth_date=data.birth_date):
        err("birth_date", MSG_BIRTH_DATE_DISAGREES + "。")
    if check_agrees(info, sex=data.sex):
        err("sex", MSG_SEX_DISAGREES + "。")


def _check_codes(data: MemberData, err, kept: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    required = (
        ("ethnicity_code", CodeTable.ETHNICITY),
        ("category_code", CodeTable.MEMBER_CATEGORY),
    )
    optional = (("education_code", CodeTable.EDUCATION), ("occupation_code", CodeTable.OCCUPATION))
    for field, table in required:
        value = getattr(data, field)
        if not value:
            err(field, f"请填写{FIELD_LABELS[field]}。")
        elif not is_valid_code(table, value) and kept.get(field) != value:
            err(field, f"{FIELD_LABELS[field]}“{value}”不在代码表中。")
    for field, table in optional:
        value = getattr(data, field)
        if value and not is_valid_code(table, value) and kept.get(field) != value:
            err(field, f"{FIELD_LABELS[field]}“{value}”不在代码表中。")


def _check_dates(data: MemberData, err, today: date) -> None:  # type: ignore[no-untyped-def]
    birth, joined, full = data.birth_date, data.joined_at, data.full_member_at
    if joined is None:
        err("joined_at", "请填写加入党组织日期。")
        return
    if joined > today:
        err("joined_at", "加入党组织日期不能晚于今天。")
    if birth is not None:
        if joined <= birth:
            err("joined_at", "加入党组织日期必须晚于出生日期。")
        elif age_on(birth, joined) < MIN_JOINING_AGE:
            err("joined_at", f"入党时应年满 {MIN_JOINING_AGE} 岁。")
    if data.category_code == "full":
        if full is None:
            err("full_member_at", "正式党员须填写转为正式党员日期。")
        elif full <= joined:
            err("full_member_at", "转为正式党员日期必须晚于加入党组织日期。")
        elif full > today:
            err("full_member_at", "转为正式党员日期不能晚于今天。")
    elif data.category_code == "probationary" and full is not None:
        err("full_member_at", "预备党员不应有转为正式党员日期。")


def _check_org(data: MemberData, err) -> None:  # type: ignore[no-untyped-def]
    if data.org is None:
        err("org", "请选择所在党支部。")
        return
    holds = OrganizationType.objects.filter(code=data.org.type_code, holds_members=True).exists()
    if not holds or not data.org.is_active:
        err("org", f"“{data.org.name}”不能直接编入党员，请选择党支部。")
