"""Pages of learning: members' own (``urls_member``, phone first) and those who run it
(``urls_manage``)."""

from __future__ import annotations

from tenants.learning.urls_manage import urlpatterns as manage
from tenants.learning.urls_member import urlpatterns as member

app_name = "learning"

urlpatterns = member + manage
