from django.db import migrations


def seed(apps, schema_editor):
    from shared.standards.seed import load, upsert

    upsert(apps.get_model("standards", "OrganizationType"), load("organization_types"))


class Migration(migrations.Migration):
    dependencies = [("standards", "0005_organizationtype_holds_members")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
