from __future__ import annotations

app_name = "stats"
urlpatterns: list = []
