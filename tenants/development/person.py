"""The person in a development record (入党申请人基本信息): validation and encryption.

Same rules as the member database (domain-rules §6): a valid GB 11643 ID number from
which sex and birth date derive, code-table ethnicity and education, an 11-digit mobile,
a branch (党支部) of the actor's scope. ID number, phone and address are stored
encrypted with blind indexes (``zhdj.pii``), exactly like ``Member``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import is_valid_code
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord
from tenants.members.models import Member
from tenants.members.validation import MOBILE_RE
from tenants.orgs.models import Organization
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pii.fields import index_for
from zhdj.pii.idnumber import validate_id_number
from zhdj.validation.names import name_problem, normalize_name, text_problem


@dataclass
class PersonData:
    org: Organization | None
    name: str
    id_number: str
    ethnicity_code: str
    education_code: str = ""
    job_title: str = ""
    phone: str = ""
    address: str = ""


def _clean_text(data: PersonData) -> str:
    """The normalized name; the free text checked (zhdj.validation.names)."""
    name = normalize_name(data.name)
    problem = name_problem(name)
    if problem:
        raise ApplicationError(problem, field="name")
    for field, label in (("job_title", "工作单位及职务"), ("address", "家庭住址")):
        problem = text_problem(getattr(data, field) or "", label=label)
        if problem:
            raise ApplicationError(problem, field=field)
    return name


def person_fill(record: DevelopmentRecord, data: PersonData, *, scope: Scope) -> None:
    """Validate ``data`` and copy it onto ``record`` (derived sex, birth date, indexes)."""
    name = _clean_text(data)
    if len(name) > 32:
        raise ApplicationError("姓名不能超过 32 个字。", field="name")
    try:
        info = validate_id_number(data.id_number)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0] + "。", field="id_number") from None
    if not data.ethnicity_code or not is_valid_code(CodeTable.ETHNICITY, data.ethnicity_code):
        raise ApplicationError("请选择民族。", field="ethnicity_code")
    if data.education_code and not is_valid_code(CodeTable.EDUCATION, data.education_code):
        raise ApplicationError("学历不在代码表中。", field="education_code")
    phone = (data.phone or "").strip()
    if phone and not MOBILE_RE.match(phone):
        raise ApplicationError("手机号应为 11 位中国大陆手机号码。", field="phone")
    org = data.org
    if org is None:
        raise ApplicationError("请选择所在党支部。", field="org")
    holds = OrganizationType.objects.filter(code=org.type_code, holds_members=True).exists()
    if not holds or not org.is_active:
        raise ApplicationError(f"“{org.name}”不是党支部，请选择党支部。", field="org")
    if not scope.can(Perm.DEVELOPMENT_MANAGE, org):  # the service's own check (scope.require)
        raise AccessDenied("无权在该党组织登记发展对象。", field="org")
    id_index = index_for("id_number", info.value)
    clash = DevelopmentRecord.objects.filter(id_number_index=id_index)
    if record.pk:
        clash = clash.exclude(pk=record.pk)
    if clash.exists():
        raise ApplicationError("该公民身份号码已有发展党员纪实档案。", field="id_number")
    if Member.objects.filter(id_number_index=id_index).exists():
        raise ApplicationError("该公民身份号码已登记为党员。", field="id_number")
    record.org, record.name = org, name
    record.id_number, record.id_number_index = info.value, id_index
    record.sex, record.birth_date = info.sex, info.birth_date
    record.ethnicity_code, record.education_code = data.ethnicity_code, data.education_code
    record.job_title = (data.job_title or "").strip()[:100]
    record.phone, record.phone_index = phone, index_for("phone", phone)
    record.address = (data.address or "").strip()[:200]
