from django.db import migrations

# The tables this migration seeds, fixed here: a table added later gets its own data
# migration, so replaying history on a fresh database stays the same.
TABLES = (
    "education",
    "ethnicity",
    "member_category",
    "party_status",
    "occupation",
    "lost_contact",
    "org_category",
    "unit_situation",
    "member_change",
    "post",
    "age_band",
    "joining_period",
)


def seed(apps, schema_editor):
    from shared.standards.seed import upsert_codes

    upsert_codes(apps.get_model("standards", "Code"), TABLES)


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_code")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
