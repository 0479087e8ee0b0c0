from __future__ import annotations

from django.urls import path

from shared.accounts.views import LoginView, LogoutView

app_name = "accounts"
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
