"""Encrypt at rest what was still stored in clear (issue 17): the AlterFields make the
columns ``text`` for the tokens, then the values already stored are encrypted."""

from django.db import migrations

import zhdj.pii.fields
from zhdj.pii.migration_ops import encrypt_columns


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_posts_moved_to_access"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hardshiprecord",
            name="description",
            field=zhdj.pii.fields.EncryptedTextField(max_length=200, verbose_name="情况说明"),
        ),
        migrations.AlterField(
            model_name="hardshiprecord",
            name="kind",
            field=zhdj.pii.fields.EncryptedTextField(max_length=32, verbose_name="困难类型"),
        ),
        migrations.AlterField(
            model_name="hardshiprecordevent",
            name="description",
            field=zhdj.pii.fields.EncryptedTextField(max_length=200, verbose_name="情况说明"),
        ),
        migrations.AlterField(
            model_name="hardshiprecordevent",
            name="kind",
            field=zhdj.pii.fields.EncryptedTextField(max_length=32, verbose_name="困难类型"),
        ),
        migrations.AlterField(
            model_name="member",
            name="landline",
            field=zhdj.pii.fields.EncryptedTextField(
                blank=True, max_length=32, verbose_name="固定电话"
            ),
        ),
        migrations.AlterField(
            model_name="memberevent",
            name="landline",
            field=zhdj.pii.fields.EncryptedTextField(
                blank=True, max_length=32, verbose_name="固定电话"
            ),
        ),
        encrypt_columns("members", "Member", ["landline"]),
        encrypt_columns("members", "HardshipRecord", ["kind", "description"]),
    ]
