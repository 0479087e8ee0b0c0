from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_password_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="manages_accounts",
            field=models.BooleanField(default=False, verbose_name="账号管理员"),
        ),
    ]
