"""After restoring a county from its archive: replay its side of the cross-county transfers
made since (tenants/transfers/services/envelope_replay.py).

    manage.py replay_envelopes --schema yuyang           # list what is missing
    manage.py replay_envelopes --schema yuyang --apply   # and replay it
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from shared.customers.models import Tenant
from tenants.transfers.services.envelope_replay import envelopes_replay


class Command(BaseCommand):
    help = "Replay a restored county's side of the transfers made since its archive."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--schema", required=True)
        parser.add_argument("--apply", action="store_true", help="replay (default: list only)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        tenant = Tenant.objects.filter(schema_name=options["schema"]).first()
        if tenant is None or not tenant.is_county:
            raise CommandError(f"没有标识为“{options['schema']}”的在用区县。")
        with schema_context(tenant.schema_name):
            report = envelopes_replay(apply=options["apply"])
        done = "已补记" if options["apply"] else "待补记"
        for title, items in (
            (f"备份后转入本县（{done}）", report.arrived),
            (f"备份后转出本县（{done}）", report.left),
            ("本县已无记录的转出（需人工核对）", report.unknown),
        ):
            self.stdout.write(f"{title}：{len(items)}")
            for item in items:
                self.stdout.write(f"  {item}")
        if not report:
            self.stdout.write("没有需要补记的跨区县转接。")
