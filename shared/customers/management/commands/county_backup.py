"""Write a county's archive (区县备份): schema, files and key identity, encrypted.

    manage.py county_backup --schema yuyang [--recipient age1…] [--out DIR] [--handover]
    manage.py county_backup --all          # every active or suspended county (the nightly job)

The archive is encrypted to ``ZHDJ_BACKUP_RECIPIENTS`` and any ``--recipient`` (a handover's
receiver: their age public key). ``--handover`` marks it as the export for handing the county
over. Prints the file, its tables, rows and files; docs/operations.md says how to restore.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.customers.backup.archive import county_backup
from shared.customers.backup.errors import BackupError
from shared.customers.models import Tenant


class Command(BaseCommand):
    help = "Write one county's encrypted archive (schema, files, key identity)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--schema", help="the county's schema name")
        target.add_argument("--all", action="store_true", help="every active or suspended county")
        parser.add_argument("--recipient", action="append", default=[], help="age public key")
        parser.add_argument("--out", type=Path, help="folder (default ZHDJ_BACKUP_DIR/<schema>)")
        parser.add_argument("--handover", action="store_true", help="the export for a handover")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        counties = Tenant.objects.filter(
            status__in=(Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED)
        ).order_by("schema_name")
        if options["schema"]:
            counties = counties.filter(schema_name=options["schema"])
            if not counties:
                raise CommandError(f"没有标识为“{options['schema']}”的在用区县。")
        for tenant in counties:
            try:
                archive = county_backup(
                    tenant,
                    purpose="handover" if options["handover"] else "backup",
                    recipients=tuple(options["recipient"]),
                    out_dir=options["out"],
                )
            except BackupError as exc:
                raise CommandError(f"{tenant.name}：{exc.message}") from None
            self.stdout.write(
                f"{tenant.name}（{tenant.schema_name}）：{archive.path}，"
                f"{len(archive.manifest['tables'])} 张表，{archive.rows} 行，"
                f"{len(archive.manifest['files'])} 个文件"
            )
