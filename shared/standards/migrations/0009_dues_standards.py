"""Party dues standards (brackets, categories).

Placeholder in the migration chain, filled by the work that owns it: keeps the
standards migrations linear while several domains are built at once.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("standards", "0008_development_standards")]
    operations: list = []
