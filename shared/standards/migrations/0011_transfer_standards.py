"""Transfer standards (letter validity, receipt deadline, retention): rule parameters of
the ``transfers`` domain, seeded from ``data/rules/transfers.json`` (domain-rules §3)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import upsert_rules

    upsert_rules(apps.get_model("standards", "RuleParameter"), ["transfers"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0010_region_boundaries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
