"""Member development standards (25 steps, time rules).

Placeholder in the migration chain, filled by the work that owns it: keeps the
standards migrations linear while several domains are built at once.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("standards", "0007_rule_parameters")]
    operations: list = []
