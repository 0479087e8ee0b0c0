from __future__ import annotations

from django.urls import path

from shared.accounts import views
from shared.accounts.views import LoginView, LogoutView

app_name = "accounts"
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("password/forgot/", views.password_reset_request, name="password_reset"),
    path("password/forgot/code/", views.password_reset_code, name="password_reset_code"),
]
