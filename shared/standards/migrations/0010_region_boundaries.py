"""County boundaries (GeoJSON) for the e-map.

Placeholder in the migration chain, filled by the work that owns it: keeps the
standards migrations linear while several domains are built at once.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("standards", "0009_dues_standards")]
    operations: list = []
