"""Validation of an onboarding request: every error named by field, nothing created."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_tenants.utils import schema_exists

from shared.accounts.models import User
from shared.customers.models import RESERVED_SCHEMA_NAMES, SCHEMA_NAME_RE, Domain, Tenant
from shared.standards.models import Region
from zhdj.validation.names import name_problem, text_problem

if TYPE_CHECKING:
    from shared.customers.services import OnboardingRequest

HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def onboarding_validate(req: OnboardingRequest) -> dict[str, list[str]]:
    """Errors by field. A re-run of an active tenant with the same parameters, and a
    resumption of an unfinished (PROVISIONING) one, are valid."""
    same = Tenant.objects.filter(schema_name=req.schema_name).first()
    resumable = same is not None and same.status == Tenant.Status.PROVISIONING
    rerun = same is not None and same.status == Tenant.Status.ACTIVE and _matches(same, req)
    others = Tenant.objects.exclude(pk=same.pk) if same is not None else Tenant.objects.all()
    checks = {
        "name": _name_error(req.name.strip(), others),
        "schema_name": _schema_error(req.schema_name, same, resumable or rerun),
        "region_code": _region_error(req.region_code.strip(), others),
        "domain": _domain_error(req.domain.strip().lower(), req.schema_name),
        "admin_username": None if req.admin_username.strip() else "请填写管理员用户名。",
        "admin_full_name": (
            name_problem(req.admin_full_name.strip(), label="管理员姓名")
            if req.admin_full_name.strip()
            else "请填写管理员姓名。"
        ),
    }
    errors = {field: [message] for field, message in checks.items() if message}
    if not rerun:
        password_errors = _password_errors(req)
        if password_errors:
            errors["admin_password"] = password_errors
    return errors


def _name_error(name: str, others: QuerySet[Tenant]) -> str | None:
    problem = text_problem(name, label="区县名称")
    if problem:
        return problem
    if not name or len(name) > 64:
        return "请填写区县名称（不超过 64 个字）。"
    if others.filter(name=name).exists():
        return f"名称“{name}”已被其他区县使用。"
    return None


def _schema_error(schema: str, same: Tenant | None, reusable: bool) -> str | None:
    if not re.fullmatch(SCHEMA_NAME_RE, schema):
        return "标识只能由小写字母、数字和下划线组成，以字母开头，长度 2–40。"
    if schema in RESERVED_SCHEMA_NAMES or schema.startswith("pg_"):
        return f"标识“{schema}”为系统保留，不能使用。"
    if schema == settings.ZHDJ_TEMPLATE_SCHEMA:
        return "该标识是区县模板，不能使用。"
    if same is not None and not reusable:
        return f"标识“{schema}”已被“{same.name}”使用。"
    if same is None and schema_exists(schema):
        return f"数据库中已存在名为“{schema}”的模式，请换一个标识。"
    return None


def _region_error(code: str, others: QuerySet[Tenant]) -> str | None:
    prefix = settings.ZHDJ_CITY_REGION_PREFIX
    if not re.fullmatch(r"\d{6}", code):
        return "行政区划代码应为 6 位数字（GB/T 2260）。"
    if not code.startswith(prefix) or code.endswith("00"):
        return f"“{code}”不是本市（{prefix}）下辖的县级行政区划代码。"
    if not Region.objects.filter(code=code, level=Region.Level.COUNTY).exists():
        return f"行政区划代码“{code}”不在本市区划代码表中。"
    if others.filter(region_code=code).exists():
        return f"行政区划代码“{code}”已开通。"
    return None


def _domain_error(domain: str, schema: str) -> str | None:
    base = settings.ZHDJ_BASE_DOMAIN
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(HOST_LABEL_RE.match(p) for p in labels):
        return "域名格式不正确。"
    if domain in {settings.ZHDJ_CITY_HOST, base}:
        return "该域名是市级站点的域名。"
    if not domain.endswith("." + base):
        return f"域名必须是 {base} 的子域名。"
    if Domain.objects.filter(domain=domain).exclude(tenant__schema_name=schema).exists():
        return f"域名“{domain}”已被使用。"
    return None


def _password_errors(req: OnboardingRequest) -> list[str]:
    if req.admin_password_hash and not req.admin_password:
        return []  # validated by the page that queued the job
    if not req.admin_password:
        return ["请设置管理员密码。"]
    try:
        validate_password(
            req.admin_password, User(username=req.admin_username, full_name=req.admin_full_name)
        )
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _matches(tenant: Tenant, req: OnboardingRequest) -> bool:
    return (
        tenant.name == req.name.strip()
        and tenant.region_code == req.region_code.strip()
        and tenant.domains.filter(domain=req.domain.strip().lower()).exists()
    )
