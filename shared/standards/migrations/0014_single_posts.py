"""Posts held by one person at a time (书记, 党小组长): the post code table's ``single``."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import upsert_codes

    upsert_codes(apps.get_model("standards", "Code"), ["post"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0013_post_permissions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
