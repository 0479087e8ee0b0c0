"""County boundaries (GeoJSON) for the e-map, and the rollups domain's rule parameters.

The boundaries seeded here are SCHEMATIC (Voronoi cells of the county seats, see
shared/rollups/boundaries.py and the note in data/region_boundaries.geojson); official
data replaces them with ``manage.py load_region_boundaries``.
"""

import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parents[1] / "data" / "region_boundaries.geojson"


def seed(apps, schema_editor):
    from shared.standards.seed import upsert_rules

    Region = apps.get_model("standards", "Region")
    document = json.loads(DATA.read_text(encoding="utf-8"))
    for feature in document["features"]:
        Region.objects.filter(code=feature["properties"]["code"]).update(
            boundary=feature["geometry"]
        )
    upsert_rules(apps.get_model("standards", "RuleParameter"), ["rollups"])


def unseed(apps, schema_editor):
    apps.get_model("standards", "RuleParameter").objects.filter(domain="rollups").delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0009_dues_standards")]
    operations = [
        migrations.AddField(
            model_name="region",
            name="boundary",
            field=models.JSONField(blank=True, null=True, verbose_name="边界"),
        ),
        migrations.RunPython(seed, unseed),
    ]
