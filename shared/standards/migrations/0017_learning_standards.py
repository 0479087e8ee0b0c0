"""Learning and exams (党员教育): the rule domain ``learning`` (yearly class hours, how study
time is credited, test defaults) and the post permission ``learning.manage``."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import upsert_post_permissions, upsert_rules

    upsert_rules(apps.get_model("standards", "RuleParameter"), ["learning"])
    upsert_post_permissions(
        apps.get_model("standards", "Permission"), apps.get_model("standards", "PostGrant")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0016_orglife_rule_parameters"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
