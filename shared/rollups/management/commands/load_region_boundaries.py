"""Load official county boundaries (GeoJSON FeatureCollection, WGS-84) into the standards.

    manage.py load_region_boundaries boundaries.geojson [--dry-run]

Each feature carries its 6-digit region code as ``code`` or ``adcode``; only regions
already in the standards are updated. Replaces the schematic polygons shipped with the
code (see shared/rollups/boundaries.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from shared.rollups.boundaries import read_geojson
from shared.standards.models import Region


class Command(BaseCommand):
    help = "导入区县行政区划边界（GeoJSON）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            geometries = read_geojson(options["path"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with schema_context("public"), transaction.atomic():
            known = set(Region.objects.filter(code__in=geometries).values_list("code", flat=True))
            for code in known:
                Region.objects.filter(code=code).update(boundary=geometries[code])
            if options["dry_run"]:
                transaction.set_rollback(True)
        unknown = sorted(set(geometries) - known)
        self.stdout.write(
            f"更新 {len(known)} 个区划边界" + ("（试运行，未保存）" if options["dry_run"] else "")
        )
        if unknown:
            self.stdout.write(f"未知区划代码（已跳过）：{', '.join(unknown)}")
