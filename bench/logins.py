#!/usr/bin/env python
"""Bulk issue of logins (批量开通账号): 1,000 members of one branch, by SMS through the local
Aliyun SMS double, and the same on printed slips (no SMS), with the project's real
settings (the production password hasher included).

    .venv/bin/python bench/logins.py [--members 1000] [--db zhdj_bench_logins]

Recreates its own database (zhdj_bench_*; bench/settings_members.py), onboards one county
with tenant_onboard, adds two branches of --members members each (the import's bulk
path), then times ``tenants.logins.services.logins_issue_bulk`` for each branch: login
names, random passwords, the password hash of each new user, the link to the member, one
transaction per 200 people and, for SMS, every message signed and POSTed to the double
after its chunk commits (8 at a time). Prints one table and checks that the double
received and verified every message.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.common import machine, machine_line, recreate_database  # noqa: E402
from bench.generator import clear_cache, county_codes, onboard_one, setup_django  # noqa: E402


def add_members(org, count: int, first: int, region: str) -> None:  # type: ignore[no-untyped-def]
    from tenants.members.models import Member
    from tenants.members.services import member_fill
    from tenants.members.validation import MemberData
    from tests.support.names import chinese_number
    from zhdj.pii.idnumber import make_id_number

    rows = []
    for i in range(first, first + count):
        birth = date(1950, 1, 1) + timedelta(days=i)
        sex = ("male", "female")[i % 2]
        member = Member()
        member_fill(
            member,
            MemberData(
                org=org,
                name=f"基准{chinese_number(i)}",
                id_number=make_id_number(region, birth, 7, sex),
                sex=sex,
                birth_date=birth,
                ethnicity_code="01",
                category_code="full",
                joined_at=date(birth.year + 25, 7, 1),
                full_member_at=date(birth.year + 26, 7, 1),
                education_code="21",
                phone=f"139{i:08d}",
                address="",
            ),
        )
        rows.append(member)
    Member.objects.bulk_create(rows, batch_size=500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--db", default="zhdj_bench_logins")
    args = parser.parse_args()
    setup_django(args.db)

    from django.conf import settings
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from shared.customers.services import template_ensure
    from tenants.access.scope import Scope
    from tenants.logins.services import PRINT, SMS, logins_issue_bulk
    from tenants.orgs.models import Organization
    from tenants.orgs.services import org_create
    from zhdj.messaging.sms_double import SmsDouble, backend_options

    print(f"preparing {args.db} ...", flush=True)
    recreate_database(args.db)
    clear_cache()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_ensure()
    print("  public and template schemas ready; onboarding one county ...", flush=True)
    ((code, name),) = county_codes(1)
    county = {
        "schema": "logins",
        "name": name,
        "region_code": code,
        "host": "logins.zhdj-bench.localhost",
        "admin_username": "admin",
        "admin_password": "Bench#Pass2026",
    }
    onboard_one(county)
    print(f"  county onboarded; adding {2 * args.members:,d} members ...", flush=True)
    double = SmsDouble.start()
    settings.ZHDJ_MESSAGING = {
        **settings.ZHDJ_MESSAGING,
        "SMS": {
            "BACKEND": "zhdj.messaging.sms_aliyun.AliyunSmsBackend",
            "OPTIONS": backend_options(double.url),
        },
    }
    rows = []
    try:
        with schema_context(county["schema"]):
            root = Organization.objects.get_root_nodes().get()
            branches = {}
            for i, delivery in enumerate((SMS, PRINT)):
                branch = org_create(
                    scope=Scope.system(),
                    parent=root,
                    name=f"基准第{i + 1}党支部",
                    type_code="branch",
                )
                add_members(branch, args.members, first=i * args.members, region=code)
                branches[delivery] = Organization.objects.get(pk=branch.pk)
            print("  issuing ...", flush=True)
            for delivery, label in ((SMS, "SMS (Aliyun double)"), (PRINT, "printed slips")):
                t = time.perf_counter()
                outcome = logins_issue_bulk(
                    scope=Scope.system(), org=branches[delivery], delivery=delivery
                )
                seconds = time.perf_counter() - t
                rows.append((label, len(outcome.issued), outcome.sent, seconds))
    finally:
        double.stop()
    received, refused = len(double.messages), len(double.gateway.refused)
    print()
    print(machine_line(machine()))
    print(f"Password hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    print()
    print("| delivery | logins issued | SMS sent | seconds | ms per login |")
    print("|---|---:|---:|---:|---:|")
    for label, issued, sent, seconds in rows:
        print(
            f"| {label} | {issued:,d} | {sent:,d} | {seconds:.2f} | {1000 * seconds / issued:.1f} |"
        )
    print()
    print(f"SMS double: {received:,d} messages received and signature-verified, {refused} refused")
    if received != args.members or refused:
        raise SystemExit("the double did not receive every message")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    main()
