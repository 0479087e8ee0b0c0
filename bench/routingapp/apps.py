from django.apps import AppConfig


class RoutingAppConfig(AppConfig):
    name = "bench.routingapp"
    label = "routingapp"
    default_auto_field = "django.db.models.BigAutoField"
