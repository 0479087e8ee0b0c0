from __future__ import annotations

app_name = "learning"

urlpatterns: list = []
