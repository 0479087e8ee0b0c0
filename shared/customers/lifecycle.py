"""A county's lifecycle after onboarding (区县生命周期): its domains and its offboarding.

Domains (域名): rename the primary domain (the old host stops routing), add a second one,
remove one that is not primary, make another primary. Every host obeys the rules of
onboarding (``validation.domain_problem``: syntax, a subdomain of the platform's base
domain, not the city site's, unused by any county).

Offboarding (注销区县) drops a county for good: its schema, its domains and its files under
``MEDIA_ROOT/<schema>/``. It is refused for the template and for a county still in
service (suspend it first), asks for the county's full name typed out, and wants a
recent archive (``archives.latest_archive_at``) or the operator's word that the county
was backed up otherwise. The tenant row stays, as OFFBOARDED with who and when, so that
the trail, the city tree's history and interchange envelopes naming it still resolve.

Each action writes a row of the lifecycle trail (``trail.lifecycle_record``) in the same
transaction and drops every process's routing map after commit (``invalidate_routes``).
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists

from shared.customers import archives
from shared.customers.models import SCHEMA_NAME_RE, Domain, OnboardingJob, Tenant
from shared.customers.routing import invalidate_routes
from shared.customers.trail import Action, Actor, lifecycle_record
from shared.customers.validation import domain_problem
from shared.interchange.selectors import envelopes_in_flight
from zhdj.errors import ApplicationError

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def _noop(_: int, __: str) -> None:
    return None


def _normalize(host: str) -> str:
    return (host or "").strip().lower().rstrip(".")


def domain_refusal(tenant: Tenant) -> str | None:
    """Why the domains of ``tenant`` cannot be changed, or None."""
    if tenant.status == Tenant.Status.TEMPLATE:
        return "区县模板没有域名，不能更改。"
    if tenant.status == Tenant.Status.OFFBOARDED:
        return f"“{tenant.name}”已注销，不能更改域名。"
    if tenant.status == Tenant.Status.PROVISIONING:
        return f"“{tenant.name}”尚未开通完成，不能更改域名。"
    return None


def _locked(tenant: Tenant) -> Tenant:
    """The tenant row, locked for this transaction: two operators changing one county's
    domains at once act one after the other, each on what the other left."""
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    problem = domain_refusal(locked)
    if problem:
        raise ApplicationError(problem)
    return locked


def _check_new_host(host: str, field: str) -> str:
    host = _normalize(host)
    if not host:
        raise ApplicationError("请填写域名。", field=field)
    problem = domain_problem(host)
    if problem:
        raise ApplicationError(problem, field=field)
    return host


def _save(domain: Domain, field: str) -> None:
    """Save; the unique index answers a race with another operator taking the same host."""
    try:
        with transaction.atomic():
            domain.save()
    except IntegrityError as exc:
        raise ApplicationError(f"域名“{domain.domain}”已被使用。", field=field) from exc


def _own(tenant: Tenant, host: str, field: str) -> Domain:
    domain = tenant.domains.filter(domain=_normalize(host)).first()
    if domain is None:
        raise ApplicationError(f"“{tenant.name}”没有域名“{_normalize(host)}”。", field=field)
    return domain


@transaction.atomic
def tenant_domain_rename(*, tenant: Tenant, domain: str, actor: Actor | None = None) -> Domain:
    """Give the county a new primary domain in place of the old one, which stops routing."""
    tenant = _locked(tenant)
    host = _check_new_host(domain, "domain")
    primary = tenant.domains.filter(is_primary=True).first()
    old = primary.domain if primary is not None else ""
    if primary is None:
        primary = Domain(tenant=tenant, is_primary=True)
    primary.domain = host
    _save(primary, "domain")
    lifecycle_record(
        Action.DOMAIN_RENAME,
        tenant=tenant,
        actor=actor,
        detail=f"主域名由 {old or '（无）'} 改为 {host}；旧域名不再可用",
    )
    invalidate_routes()
    return primary


@transaction.atomic
def tenant_domain_add(*, tenant: Tenant, domain: str, actor: Actor | None = None) -> Domain:
    """Add a second (not primary) domain that routes to the county too."""
    tenant = _locked(tenant)
    host = _check_new_host(domain, "domain")
    added = Domain(tenant=tenant, domain=host, is_primary=False)
    _save(added, "domain")
    lifecycle_record(Action.DOMAIN_ADD, tenant=tenant, actor=actor, detail=f"添加域名 {host}")
    invalidate_routes()
    return added


@transaction.atomic
def tenant_domain_remove(*, tenant: Tenant, domain: str, actor: Actor | None = None) -> None:
    """Remove a domain that is not the primary one; it stops routing."""
    tenant = _locked(tenant)
    found = _own(tenant, domain, "domain")
    if found.is_primary:
        raise ApplicationError(
            "主域名不能删除：请先把另一个域名设为主域名，或直接更换主域名。", field="domain"
        )
    found.delete()
    lifecycle_record(
        Action.DOMAIN_REMOVE, tenant=tenant, actor=actor, detail=f"删除域名 {found.domain}"
    )
    invalidate_routes()


@transaction.atomic
def tenant_domain_make_primary(
    *, tenant: Tenant, domain: str, actor: Actor | None = None
) -> Domain:
    """Make another of the county's domains its primary one (the old primary stays as a
    second domain)."""
    tenant = _locked(tenant)
    found = _own(tenant, domain, "domain")
    if found.is_primary:
        raise ApplicationError(f"“{found.domain}”已经是主域名。", field="domain")
    old = tenant.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    found.is_primary = True
    found.save()  # DomainMixin.save clears the flag of the other domains
    lifecycle_record(
        Action.DOMAIN_PRIMARY,
        tenant=tenant,
        actor=actor,
        detail=f"主域名由 {old or '（无）'} 改为 {found.domain}",
    )
    invalidate_routes()
    return found


# ------------------------------------------------------------------------------
# Offboarding
# ------------------------------------------------------------------------------
def offboard_refusal(tenant: Tenant) -> str | None:
    """Why ``tenant`` cannot be offboarded whatever is typed, or None."""
    if tenant.status == Tenant.Status.TEMPLATE:
        return "区县模板不能注销。"
    if tenant.status == Tenant.Status.OFFBOARDED:
        return f"“{tenant.name}”已注销。"
    if tenant.status == Tenant.Status.PROVISIONING:
        return f"“{tenant.name}”尚未开通完成，不能注销。"
    if tenant.status == Tenant.Status.ACTIVE:
        return f"“{tenant.name}”仍在正常服务，请先暂停，再注销。"
    in_flight = envelopes_in_flight(tenant.schema_name)
    if in_flight:
        return (
            f"“{tenant.name}”还有 {in_flight} 件跨区县组织关系转接未办结（待接收或接收中），"
            "请办结、退回或撤回后再注销。"
        )
    return None


def offboard_problems(
    tenant: Tenant, *, confirm_name: str, backup_confirmed: bool
) -> dict[str, list[str]]:
    """Errors by field (``__all__``, ``confirm_name``, ``backup_confirmed``); empty: go."""
    refusal = offboard_refusal(tenant)
    if refusal:
        return {"__all__": [refusal]}
    errors: dict[str, list[str]] = {}
    typed = (confirm_name or "").strip()
    if not typed:
        errors["confirm_name"] = ["请输入区县全称以确认注销。"]
    elif typed != tenant.name:
        errors["confirm_name"] = [f"输入的名称“{typed}”与区县全称不一致，请照原样输入。"]
    if not archives.archive_is_recent(tenant) and not backup_confirmed:
        errors["backup_confirmed"] = [
            f"没有该区县最近 {archives.archive_hours()} 小时内的备份。请先备份；"
            "已用其他方式备份的，请勾选“我确认已另行备份”。"
        ]
    return errors


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})


def offboard_check(tenant: Tenant, *, confirm_name: str, backup_confirmed: bool) -> None:
    _raise(offboard_problems(tenant, confirm_name=confirm_name, backup_confirmed=backup_confirmed))


def media_folder(schema: str) -> Path | None:
    """The county's upload folder ``MEDIA_ROOT/<schema>/``, or None if ``schema`` could
    name anything else (never the media root itself nor outside it)."""
    if not re.fullmatch(SCHEMA_NAME_RE, schema):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    folder = (root / schema).resolve()
    return folder if folder.parent == root else None


def tenant_offboard(
    *,
    tenant: Tenant,
    confirm_name: str,
    backup_confirmed: bool,
    actor: Actor | None = None,
    progress: Progress = _noop,
) -> Tenant:
    """Drop a suspended county: domains, schema (one transaction, with the status change
    and the trail's row), then its upload folder. Refused, with nothing changed, by the
    rules of ``offboard_problems``, checked again under the row's lock."""
    connection.set_schema_to_public()
    progress(10, "校验注销条件")
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        offboard_check(tenant, confirm_name=confirm_name, backup_confirmed=backup_confirmed)
        schema = tenant.schema_name
        made = archives.latest_archive_at(tenant)
        hosts = sorted(tenant.domains.values_list("domain", flat=True))
        progress(30, "解除域名")
        tenant.domains.all().delete()
        progress(50, "删除数据库模式")
        if schema_exists(schema):
            with connection.cursor() as cursor:
                # Deferred foreign-key checks still pending in this transaction (rows the
                # same transaction wrote) would block the drop: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        actor = actor or Actor.command(["manage.py"])
        tenant.status = Tenant.Status.OFFBOARDED
        tenant.offboarded_at = timezone.now()
        tenant.offboarded_by = actor.username[:100]
        tenant.save(update_fields=["status", "offboarded_at", "offboarded_by"])
        backup = (
            f"最近备份 {timezone.localtime(made):%Y-%m-%d %H:%M}"
            if made is not None and archives.archive_is_recent(tenant)
            else "操作人确认已另行备份"
        )
        lifecycle_record(
            Action.OFFBOARD,
            tenant=tenant,
            actor=actor,
            detail=(
                f"删除数据库模式 {schema}、域名 {('、'.join(hosts)) or '（无）'} 和上传文件；"
                f"{backup}；暂停原因：{tenant.suspended_reason or '（无）'}"
            ),
        )
        invalidate_routes()
    progress(80, "删除上传文件")
    _remove_files(schema)
    progress(100, "注销完成")
    return tenant


def _remove_files(schema: str) -> None:
    folder = media_folder(schema)
    if folder is None or not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        logger.exception("offboarding %s: upload folder %s not removed", schema, folder)
        raise ApplicationError(
            f"数据库模式和域名已删除，但上传文件目录 {folder} 未能删除，请手工删除。"
        ) from exc


def offboarding_running(tenant: Tenant) -> bool:
    return OnboardingJob.objects.filter(
        kind=OnboardingJob.Kind.OFFBOARD,
        schema_name=tenant.schema_name,
        state__in=[OnboardingJob.State.QUEUED, OnboardingJob.State.RUNNING],
    ).exists()
