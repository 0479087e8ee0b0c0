from django.db import migrations


def seed(apps, schema_editor):
    from shared.standards.seed import load, upsert

    upsert(apps.get_model("standards", "Region"), load("regions"))
    upsert(apps.get_model("standards", "OrganizationType"), load("organization_types"))


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
