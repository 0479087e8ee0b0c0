from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenants.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        # pgtrigger gives makemigrations and Django's migrate an autodetector that knows
        # about triggers; django-tenants replaces migrate with migrate_schemas, which
        # keeps Django's plain one. Give it the same class (Django's check
        # commands.E001 requires it, and tenant migrations must see the triggers).
        from django.core.management.commands import makemigrations
        from django_tenants.management.commands import migrate_schemas

        migrate_schemas.MigrateSchemasCommand.autodetector = makemigrations.Command.autodetector
