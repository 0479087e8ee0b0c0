"""Transfer standards (letter validity, receipt deadline, retention).

Placeholder in the migration chain, filled by the work that owns it: keeps the
standards migrations linear while several domains are built at once.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("standards", "0010_region_boundaries")]
    operations: list = []
