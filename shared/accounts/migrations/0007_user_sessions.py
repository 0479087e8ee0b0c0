# Sessions a user can list and end (登录设备), password history (等保: no reuse of the
# last five), and a start for the password expiry of every existing login.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def start_password_clock(apps, schema_editor):
    """Logins whose password date is unknown start the expiry period today (never
    expired by the deployment itself)."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(password_changed_at__isnull=True).update(
        password_changed_at=django.utils.timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_admin_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="UserSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key_hash",
                    models.CharField(max_length=64, unique=True, verbose_name="会话标识摘要"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="登录时间"
                    ),
                ),
                (
                    "last_activity",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="最近活动"
                    ),
                ),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址")),
                ("device", models.CharField(blank=True, max_length=64, verbose_name="设备")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="login_sessions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "登录设备",
                "verbose_name_plural": "登录设备",
                "ordering": ["-last_activity", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PasswordHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="密码摘要")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="设置时间"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_history",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "历史密码",
                "verbose_name_plural": "历史密码",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(start_password_clock, migrations.RunPython.noop),
    ]
