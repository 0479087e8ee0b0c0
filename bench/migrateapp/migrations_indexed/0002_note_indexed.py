"""tests/zhdj/test_migrate_kill.py's pending migration: an AddField with an index, whose
CREATE INDEX Django defers to the end of the migration (and then records the migration
outside the migration's transaction), and a sleep so that a run over tens of schemas lasts
long enough to be killed in the middle."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migrateapp", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="note", name="rank", field=models.IntegerField(null=True, db_index=True)
        ),
        migrations.RunSQL("SELECT pg_sleep(0.1)", migrations.RunSQL.noop),
    ]
