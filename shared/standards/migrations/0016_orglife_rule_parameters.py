"""Organizational life: four numbers that were constants in the code become rule
parameters of the ``orglife`` domain (county-overridable): the missing meetings that make
a branch red, the committee size from which a 支委会 is required, how early QR sign-in
opens, the size limit of a meeting's materials. Seeding the domain again adds the rows
to existing databases (overrides are tenant rows and stay)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import upsert_rules

    upsert_rules(apps.get_model("standards", "RuleParameter"), ["orglife"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0015_orglife_standards")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
