"""Posts move from the members app to the access layer: the rows keep their ids, and
their history (pghistory events) comes along, so the audit trail of who held what is
unbroken. The copy itself is not recorded as new appointments."""

import pgtrigger
from django.db import migrations

COLUMNS = "id, org_id, member_id, post_code, started_at, ended_at"
EVENT_COLUMNS = (
    "pgh_id, pgh_created_at, pgh_label, id, post_code, started_at, ended_at, member_id, "
    "org_id, pgh_context_id, pgh_obj_id"
)


def copy(apps, schema_editor):  # type: ignore[no-untyped-def]
    with pgtrigger.ignore("access.Post:insert_insert"), schema_editor.connection.cursor() as c:
        c.execute(
            f"INSERT INTO access_post ({COLUMNS}, end_reason) "
            f"SELECT {COLUMNS}, '' FROM members_post"
        )
        c.execute(
            f"INSERT INTO access_postevent ({EVENT_COLUMNS}, end_reason) "
            f"SELECT {EVENT_COLUMNS}, '' FROM members_postevent"
        )
        for table, key in (("access_post", "id"), ("access_postevent", "pgh_id")):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                f"COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)"
            )


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial"), ("members", "0006_blind_index_collation")]
    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
