from django.apps import AppConfig


class MigrateAppConfig(AppConfig):
    name = "bench.migrateapp"
    label = "migrateapp"
    default_auto_field = "django.db.models.BigAutoField"
