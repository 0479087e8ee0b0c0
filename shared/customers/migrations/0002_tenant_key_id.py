"""Each county gets its own personal-data key identity (zhdj.pii.crypto).

Existing counties get their schema name, which is what their keys were derived from, so
every stored token stays readable without re-encryption; new counties get 16 random bytes.
"""

from django.db import migrations, models

import shared.customers.models
import zhdj.pii.crypto


def keep_schema_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    Tenant = apps.get_model("customers", "Tenant")
    Tenant.objects.update(key_id=models.F("schema_name"), key_version=1)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="key_id",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="密钥标识"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tenant",
            name="key_version",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="索引密钥版本"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(keep_schema_names, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="tenant",
            name="key_id",
            field=models.CharField(
                default=zhdj.pii.crypto.new_key_id,
                editable=False,
                max_length=64,
                verbose_name="密钥标识",
            ),
        ),
        migrations.AlterField(
            model_name="tenant",
            name="key_version",
            field=models.PositiveSmallIntegerField(
                default=shared.customers.models.default_key_version,
                editable=False,
                verbose_name="索引密钥版本",
            ),
        ),
    ]
