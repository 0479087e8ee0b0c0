from django.apps import AppConfig


class FlowingConfig(AppConfig):
    name = "tenants.flowing"
    label = "flowing"
    verbose_name = "流动党员"
    default_auto_field = "django.db.models.BigAutoField"
