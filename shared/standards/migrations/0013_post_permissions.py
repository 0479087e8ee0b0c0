"""What each post may do by default (职务默认权限), from ``data/post_permissions.json``."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shared.standards.seed import upsert_post_permissions

    upsert_post_permissions(
        apps.get_model("standards", "Permission"), apps.get_model("standards", "PostGrant")
    )


class Migration(migrations.Migration):
    dependencies = [("standards", "0012_permission_postgrant")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
