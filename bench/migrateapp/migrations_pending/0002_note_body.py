"""The pending migration of bench/onboard.py: one nullable AddField (catalogue-only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migrateapp", "0001_initial")]

    operations = [
        migrations.AddField(model_name="note", name="body", field=models.TextField(null=True)),
    ]
