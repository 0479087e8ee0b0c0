"""Make an age identity for county archives (its private key stays with the operators).

    manage.py backup_identity --out /secure/zhdj-backup.key

Prints the public key to put in ``ZHDJ_BACKUP_RECIPIENTS`` on the servers. The file is
created with mode 0600 and never overwritten. ``age-keygen`` makes the same kind of key.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.customers.backup.keys import identity_file_ensure


class Command(BaseCommand):
    help = "Make an age identity for county archives and print its public key."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["out"].exists():
            raise CommandError(f"{options['out']} 已存在，不会覆盖。")
        identity = identity_file_ensure(options["out"])
        self.stdout.write(f"私钥已写入 {options['out']}（请离线保管）")
        self.stdout.write(f"公钥（填入 ZHDJ_BACKUP_RECIPIENTS）：{identity.to_public()}")
