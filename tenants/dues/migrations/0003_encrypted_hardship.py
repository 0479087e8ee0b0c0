"""Encrypt at rest what was still stored in clear (issue 17): the AlterFields make the
columns ``text`` for the tokens, then the values already stored are encrypted."""

from django.db import migrations

import zhdj.pii.fields
from zhdj.pii.migration_ops import encrypt_columns


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0002_unionpay_label"),
    ]

    operations = [
        migrations.AlterField(
            model_name="duesreduction",
            name="approval_note",
            field=zhdj.pii.fields.EncryptedTextField(
                blank=True, max_length=200, verbose_name="审批意见"
            ),
        ),
        migrations.AlterField(
            model_name="duesreduction",
            name="reason",
            field=zhdj.pii.fields.EncryptedTextField(max_length=200, verbose_name="原因"),
        ),
        migrations.AlterField(
            model_name="duesreductionevent",
            name="approval_note",
            field=zhdj.pii.fields.EncryptedTextField(
                blank=True, max_length=200, verbose_name="审批意见"
            ),
        ),
        migrations.AlterField(
            model_name="duesreductionevent",
            name="reason",
            field=zhdj.pii.fields.EncryptedTextField(max_length=200, verbose_name="原因"),
        ),
        encrypt_columns("dues", "DuesReduction", ["reason", "approval_note"]),
    ]
