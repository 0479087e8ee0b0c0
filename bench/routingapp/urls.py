"""URLconf of the bench: the tenant URLconf in the tenancy configurations, the root one in plain."""

from django.urls import path

from bench.routingapp.views import items

urlpatterns = [
    path("bench/items/", items, name="bench-items"),
]
