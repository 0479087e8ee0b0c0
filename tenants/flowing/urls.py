"""Pages of the flowing-members work: those who run it (``urls_manage``), the members'
own on the phone (``urls_member``) and the members flowing in from another county
(``urls_inflow``)."""

from __future__ import annotations

from tenants.flowing.urls_inflow import urlpatterns as inflow
from tenants.flowing.urls_manage import urlpatterns as manage
from tenants.flowing.urls_member import urlpatterns as member

app_name = "flowing"

urlpatterns = member + manage + inflow
