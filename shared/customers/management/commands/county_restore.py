"""Restore a county archive (区县恢复), verified table by table.

    manage.py county_restore ARCHIVE --into yuyang            # the same county (suspended), or
                                                              # an offboarded one (undo)
    manage.py county_restore ARCHIVE --new-schema yuyang2 --name 榆阳区 --domain … [--region-code …]
    [--identity FILE …]                                        # age identity files (private keys)

One transaction: either every table matches the archive's row counts and checksums, or
nothing changed. Restoring into the same county keeps its current schema and files aside
(``<schema>_r<time>``). Afterwards: docs/operations.md, "Restore a county" (replay the
county's transfers since the archive with ``replay_envelopes``, then resume it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.customers.backup.errors import BackupError
from shared.customers.backup.keys import default_identities, identities_read
from shared.customers.backup.restore import NewCounty, county_restore
from shared.customers.models import Tenant
from shared.customers.trail import Action, Actor, lifecycle_record


class Command(BaseCommand):
    help = "Restore a county archive into the same county or as a new county."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("archive", type=Path)
        parser.add_argument("--identity", action="append", type=Path, default=[])
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--into", help="schema of the suspended (or offboarded) county to restore into"
        )
        target.add_argument("--new-schema", help="schema name of a new county")
        parser.add_argument("--name", default="", help="the new county's name")
        parser.add_argument("--domain", default="", help="the new county's domain")
        parser.add_argument("--region-code", default="", help="the new county's region code")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            identities = (
                identities_read(options["identity"])
                if options["identity"]
                else default_identities()
            )
            into = new = None
            if options["into"]:
                into = Tenant.objects.filter(schema_name=options["into"]).first()
                if into is None:
                    raise CommandError(f"没有标识为“{options['into']}”的区县。")
            else:
                if not options["name"] or not options["domain"]:
                    raise CommandError("恢复为新区县时须指定 --name 和 --domain。")
                new = NewCounty(
                    schema_name=options["new_schema"],
                    name=options["name"],
                    domain=options["domain"],
                    region_code=options["region_code"],
                )
            result = county_restore(
                options["archive"],
                identities=identities,
                into=into,
                new=new,
                progress=lambda step: self.stdout.write(f"… {step}"),
            )
        except BackupError as exc:
            raise CommandError(exc.message) from None
        detail = (
            f"{options['archive'].name}（备份时间 {result.archive_made}）："
            f"{result.tables} 张表 {result.rows} 行核对一致"
        )
        lifecycle_record(
            Action.RESTORE, tenant=result.tenant, actor=Actor.command(sys.argv), detail=detail
        )
        self.stdout.write(
            f"已恢复 {result.tenant.name}（{result.tenant.schema_name}）：备份时间 "
            f"{result.archive_made}，{result.tables} 张表 {result.rows} 行逐表核对一致，"
            f"{result.files} 个文件，补齐迁移 {result.migrated} 个。"
        )
        for note in result.notes:
            self.stdout.write(note)
