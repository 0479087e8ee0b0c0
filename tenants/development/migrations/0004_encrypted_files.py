"""Development documents are encrypted on disk and typed submissions in the database
(issue 17): the files and texts already stored are sealed under the county's key."""

from django.db import migrations, models

import tenants.development.models
import zhdj.pii.fields
import zhdj.pii.storage
from zhdj.pii.migration_ops import encrypt_columns, encrypt_files


class Migration(migrations.Migration):
    dependencies = [
        ("development", "0003_own_submissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stepdocument",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=zhdj.pii.storage.encrypted_storage,
                upload_to=tenants.development.models.document_path,
                verbose_name="文件",
            ),
        ),
        migrations.AlterField(
            model_name="stepdocumentevent",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=zhdj.pii.storage.encrypted_storage,
                upload_to=tenants.development.models.document_path,
                verbose_name="文件",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=zhdj.pii.storage.encrypted_storage,
                upload_to=tenants.development.models.submission_path,
                verbose_name="文件",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="text",
            field=zhdj.pii.fields.EncryptedTextField(blank=True, verbose_name="正文"),
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=zhdj.pii.storage.encrypted_storage,
                upload_to=tenants.development.models.submission_path,
                verbose_name="文件",
            ),
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="text",
            field=zhdj.pii.fields.EncryptedTextField(blank=True, verbose_name="正文"),
        ),
        encrypt_files("development", "StepDocument", "file"),
        encrypt_files("development", "Submission", "file"),
        encrypt_columns("development", "Submission", ["text"]),
    ]
