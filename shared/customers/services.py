"""Onboarding a district (开通区县) and changing a tenant's status.

``tenant_onboard`` is safe to re-run and safe to fail:
- everything is validated before anything is created;
- the tenant row exists as PROVISIONING while its schema is built, and it has no
  domain, so no request can reach it;
- any failure drops the schema and deletes the rows it made;
- a run interrupted by a crash (process killed) leaves a PROVISIONING row which the
  next run with the same schema name cleans up before starting again;
- a re-run for a tenant already active with the same parameters changes nothing.

The schema is cloned from the template schema (a migrated, empty county schema kept
current by ``migrate_schemas``) when the template is up to date, else migrated;
``bench/onboard.py`` measures both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from shared.accounts.models import User
from shared.accounts.services import user_create
from shared.cityorg.services import cityorg_link_county
from shared.customers.models import Domain, Tenant
from shared.customers.routing import invalidate_routes
from shared.customers.trail import Action, Actor, current_actor, lifecycle_record
from shared.customers.validation import onboarding_validate
from shared.rollups.dirty import rollup_schedule
from zhdj.errors import ApplicationError

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class OnboardingRequest:
    """What the ops team enters to open a district."""

    name: str
    region_code: str
    schema_name: str
    domain: str
    admin_username: str
    admin_full_name: str
    admin_password: str = ""
    # The ops page validates the clear password, then queues only its hash.
    admin_password_hash: str = ""
    # The ops page's initial password is typed for someone else: the new administrator
    # replaces it at the first login (shared.accounts.middleware).
    admin_must_change_password: bool = False

    def public_params(self) -> dict[str, str]:
        """Parameters safe to store and show (no password, no hash)."""
        params = asdict(self)
        params.pop("admin_password")
        params.pop("admin_password_hash")
        return params


@dataclass(frozen=True)
class OnboardingResult:
    tenant: Tenant
    created: bool
    method: str  # "clone", "migrate" or "existing"
    seconds: float

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, "")


# How a county's schema was made, as the ops pages say it.
METHOD_LABELS = {"clone": "复制区县模板", "migrate": "新建并迁移数据库", "existing": "沿用已有"}


def _noop(_: int, __: str) -> None:
    return None


# ------------------------------------------------------------------------------
# Template schema
# ------------------------------------------------------------------------------
def _tenant_leaf_migrations() -> set[tuple[str, str]]:
    """Every migration the tenant apps need (the full plan, not only leaves)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    tenant_labels = {a.rsplit(".", 1)[-1] for a in settings.TENANT_APPS}
    return {key for key in loader.graph.nodes if key[0] in tenant_labels}


def template_is_current() -> bool:
    schema = settings.ZHDJ_TEMPLATE_SCHEMA
    if not schema_exists(schema):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return False
        cursor.execute(
            f'SELECT app, name FROM "{schema}".django_migrations'  # noqa: S608 — validated name
        )
        applied = set(cursor.fetchall())
    return _tenant_leaf_migrations() <= applied


def template_ensure(*, verbosity: int = 0) -> None:
    """Create (or bring up to date) the template schema that counties are cloned from."""
    schema = settings.ZHDJ_TEMPLATE_SCHEMA
    Tenant.objects.get_or_create(
        schema_name=schema,
        defaults={"name": "区县模板", "status": Tenant.Status.TEMPLATE},
    )
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    if not template_is_current():
        call_command(
            "migrate_schemas",
            schema_name=schema,
            tenant=True,
            interactive=False,
            verbosity=verbosity,
        )
    connection.set_schema_to_public()


# ------------------------------------------------------------------------------
# Onboarding
# ------------------------------------------------------------------------------
def tenant_onboard(
    req: OnboardingRequest,
    *,
    progress: Progress = _noop,
    method: str = "auto",
    allow_rerun: bool = True,
    actor: Actor | None = None,
) -> OnboardingResult:
    """Open a district. ``method``: "auto" (clone if the template is current), "clone",
    "migrate". Raises ApplicationError (with ``extra['errors']`` by field) on bad input.
    ``allow_rerun=False`` (jobs from the ops page) refuses an already opened county instead
    of the idempotent re-run that changes nothing."""
    started = timezone.now()
    connection.set_schema_to_public()
    progress(5, "校验参数")
    errors = onboarding_validate(req, allow_rerun=allow_rerun)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors})

    existing = Tenant.objects.filter(schema_name=req.schema_name).first()
    if existing is not None and existing.status == Tenant.Status.ACTIVE:
        progress(100, "该区县已开通，无需重复操作")
        return OnboardingResult(existing, created=False, method="existing", seconds=0.0)
    if existing is not None:
        progress(8, "清理上次未完成的开通")
        _discard(existing)

    with transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=req.schema_name,
            name=req.name.strip(),
            region_code=req.region_code.strip(),
            status=Tenant.Status.PROVISIONING,
        )
    try:
        used = _build_schema(tenant, method, progress)
        progress(70, "创建区县党委和管理员")
        city_node = cityorg_link_county(tenant=tenant)
        with schema_context(tenant.schema_name), transaction.atomic():
            for path in settings.ZHDJ_TENANT_INITIALIZERS:
                import_string(path)(tenant=tenant, city_org_id=city_node.pk)
            user_create(
                username=req.admin_username.strip(),
                full_name=req.admin_full_name.strip(),
                password=req.admin_password,
                password_hash=req.admin_password_hash,
                role=User.Role.COUNTY_ADMIN,
                must_change_password=req.admin_must_change_password,
            )
        progress(90, "绑定域名并启用")
        with transaction.atomic():
            domain = req.domain.strip().lower()
            Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
            tenant.status = Tenant.Status.ACTIVE
            tenant.activated_at = timezone.now()
            tenant.save(update_fields=["status", "activated_at"])
            lifecycle_record(
                Action.ONBOARD,
                tenant=tenant,
                actor=actor or current_actor(),
                detail=f"域名 {domain}，首位管理员 {req.admin_username.strip()}",
            )
            # A new county appears on the city dashboard after its first rollup.
            schema = tenant.schema_name
            transaction.on_commit(lambda: rollup_schedule(schema=schema))
    except BaseException:
        logger.exception("onboarding %s failed; rolling back", req.schema_name)
        connection.set_schema_to_public()
        _discard(tenant)
        raise
    seconds = (timezone.now() - started).total_seconds()
    progress(100, "开通完成")
    return OnboardingResult(tenant, created=True, method=used, seconds=seconds)


def _build_schema(tenant: Tenant, method: str, progress: Progress) -> str:
    current = template_is_current()  # builds a migration loader: once per onboarding
    if method == "auto":
        method = "clone" if current else "migrate"
    if method == "clone":
        progress(20, "复制区县模板")
        if not current:
            template_ensure()
        CloneSchema().clone_schema(
            settings.ZHDJ_TEMPLATE_SCHEMA, tenant.schema_name, "DATA", set_connection=False
        )
    else:
        progress(20, "创建数据库模式并迁移")
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{tenant.schema_name}"')
        call_command(
            "migrate_schemas",
            schema_name=tenant.schema_name,
            tenant=True,
            interactive=False,
            verbosity=0,
        )
    connection.set_schema_to_public()
    return method


def _discard(tenant: Tenant) -> None:
    """Remove every trace of an unfinished tenant (schema, domain, city node, row)."""
    from shared.cityorg.models import CityOrganization

    connection.set_schema_to_public()
    with transaction.atomic():
        if schema_exists(tenant.schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        CityOrganization.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()


# ------------------------------------------------------------------------------
# Status changes (ops)
# ------------------------------------------------------------------------------
# Each writes a row of the lifecycle trail (shared/customers/trail.py): ``actor`` is who acts
# and from where, by default the page's user (or the command line outside a request).
@transaction.atomic
def tenant_suspend(*, tenant: Tenant, reason: str, actor: Actor | None = None) -> Tenant:
    # The row's state as committed, locked (two operators act one after the other); the
    # caller's instance is the one updated.
    tenant.status = (
        Tenant.objects.select_for_update().values_list("status", flat=True).get(pk=tenant.pk)
    )
    if tenant.status != Tenant.Status.ACTIVE:
        raise ApplicationError("只有正常状态的区县可以暂停。")
    if not reason.strip():
        raise ApplicationError("请填写暂停原因。", field="reason")
    tenant.status = Tenant.Status.SUSPENDED
    tenant.suspended_reason = reason.strip()
    tenant.save(update_fields=["status", "suspended_reason"])
    lifecycle_record(
        Action.SUSPEND, tenant=tenant, actor=actor, detail=f"暂停原因：{tenant.suspended_reason}"
    )
    invalidate_routes()
    return tenant


@transaction.atomic
def tenant_resume(*, tenant: Tenant, actor: Actor | None = None) -> Tenant:
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    tenant.status, tenant.suspended_reason = locked.status, locked.suspended_reason
    if tenant.status != Tenant.Status.SUSPENDED:
        raise ApplicationError("只有已暂停的区县可以恢复。")
    reason = tenant.suspended_reason
    tenant.status = Tenant.Status.ACTIVE
    tenant.suspended_reason = ""
    tenant.save(update_fields=["status", "suspended_reason"])
    lifecycle_record(
        Action.RESUME, tenant=tenant, actor=actor, detail=f"原暂停原因：{reason or '（无）'}"
    )
    invalidate_routes()
    schema = tenant.schema_name
    transaction.on_commit(lambda: rollup_schedule(schema=schema))
    return tenant
