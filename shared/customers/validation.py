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
USERNAME_RE = re.compile(r"[\w.@+-]+")
# Suffixes of county-level names (GB/T 2260): 横山县 and 横山区 name the same place.
COUNTY_SUFFIXES = ("自治县", "区", "县", "市", "旗")


def onboarding_validate(
    req: OnboardingRequest, *, allow_rerun: bool = True
) -> dict[str, list[str]]:
    """Errors by field. A resumption of an unfinished (PROVISIONING) tenant is valid; so is,
    with ``allow_rerun`` (the command line), a re-run of an active tenant with the same
    parameters, which then changes nothing. The ops page passes ``allow_rerun=False``: there a
    county already opened is a mistake to name on the form, not a job that "succeeds"."""
    same = Tenant.objects.filter(schema_name=req.schema_name).first()
    resumable = same is not None and same.status == Tenant.Status.PROVISIONING
    rerun = (
        allow_rerun
        and same is not None
        and same.status == Tenant.Status.ACTIVE
        and _matches(same, req)
    )
    reusable = resumable or rerun
    others = Tenant.objects.exclude(pk=same.pk) if reusable and same else Tenant.objects.all()
    name = req.name.strip()
    checks = {
        "name": _name_error(name, others),
        "schema_name": _schema_error(req.schema_name, same, reusable),
        "region_code": _region_error(req.region_code.strip(), others, name),
        "domain": _domain_error(req.domain.strip().lower(), req.schema_name if reusable else None),
        "admin_username": _username_error(req.admin_username.strip()),
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


def _username_error(username: str) -> str | None:
    if not username:
        return "请填写管理员用户名。"
    if len(username) > 64:
        return "管理员用户名不能超过 64 个字符。"
    # The rule of the User model (UnicodeUsernameValidator), said in Chinese and checked
    # here: the account is created by the worker, too late to tell the form.
    if not USERNAME_RE.fullmatch(username):
        return "管理员用户名只能包含字母、数字、汉字和 @ . + - _，不能有空格。"
    return None


def _name_error(name: str, others: QuerySet[Tenant]) -> str | None:
    problem = text_problem(name, label="区县名称")
    if problem:
        return problem
    if not name or len(name) > 64:
        return "请填写区县名称（不超过 64 个字）。"
    holder = others.filter(name=name).first()
    if holder is not None:
        return _gone(holder, f"名称“{name}”") or f"名称“{name}”已被其他区县使用。"
    return None


def _gone(holder: Tenant, subject: str) -> str | None:
    """An offboarded county keeps its name, code and identifier (its row stays for the
    trail and the city tree's history): say so rather than "already opened"."""
    if holder.status == Tenant.Status.OFFBOARDED:
        return f"{subject}属于已注销的“{holder.name}”，不能再用。"
    return None


def _schema_error(schema: str, same: Tenant | None, reusable: bool) -> str | None:
    if not re.fullmatch(SCHEMA_NAME_RE, schema):
        return "标识只能由小写字母、数字和下划线组成，以字母开头，长度 2–40。"
    if schema in RESERVED_SCHEMA_NAMES or schema.startswith("pg_"):
        return f"标识“{schema}”为系统保留，不能使用。"
    if schema == settings.ZHDJ_TEMPLATE_SCHEMA:
        return "该标识是区县模板，不能使用。"
    if same is not None and not reusable:
        return _gone(same, f"标识“{schema}”") or f"标识“{schema}”已被“{same.name}”使用。"
    if same is None and schema_exists(schema):
        return f"数据库中已存在名为“{schema}”的模式，请换一个标识。"
    return None


def _region_error(code: str, others: QuerySet[Tenant], name: str) -> str | None:
    prefix = settings.ZHDJ_CITY_REGION_PREFIX
    if not re.fullmatch(r"\d{6}", code):
        return "行政区划代码应为 6 位数字（GB/T 2260）。"
    if not code.startswith(prefix) or code.endswith("00"):
        return f"“{code}”不是本市（{prefix}）下辖的县级行政区划代码。"
    region = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    if region is None:
        return f"行政区划代码“{code}”不在本市区划代码表中。"
    holder = others.filter(region_code=code).first()
    if holder is not None:
        return _gone(holder, f"行政区划代码“{code}”") or f"行政区划代码“{code}”已开通。"
    if name and not _same_place(name, region.name):
        return f"行政区划代码 {code} 是{region.name}，与名称“{name}”不符。"
    return None


def _same_place(name: str, official: str) -> bool:
    """Whether the typed county name fits the code's name in the region table: it contains
    the official name (榆阳区 in “榆阳区（高新区）”), or differs only by the county-level
    suffix (横山县 for 横山区, a county turned district). A district renamed outright keeps
    its code only in the table: update regions.json first (docs/operations.md)."""
    return official in name or _stem(name) == _stem(official)


def _stem(name: str) -> str:
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` cannot be given to a county (lifecycle: rename, add), or None: the
    rules of onboarding, and no county may hold it already (this one included)."""
    return _domain_error(domain.strip().lower(), None)


def _domain_error(domain: str, schema: str | None) -> str | None:
    """``schema``: the tenant being resumed or re-run, whose own domain is no clash."""
    base = settings.ZHDJ_BASE_DOMAIN
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(HOST_LABEL_RE.match(p) for p in labels):
        return "域名格式不正确。"
    if domain in {settings.ZHDJ_CITY_HOST, base}:
        return "该域名是市级站点的域名。"
    if not domain.endswith("." + base):
        return f"域名必须是 {base} 的子域名。"
    used = Domain.objects.filter(domain=domain)
    if schema is not None:
        used = used.exclude(tenant__schema_name=schema)
    if used.exists():
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
