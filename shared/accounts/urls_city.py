"""The city site's own accounts (市级账号管理): city and ops users."""

from __future__ import annotations

from django.urls import path

from shared.accounts import views

app_name = "cityusers"
urlpatterns = [
    path("", views.public_user_list, name="list"),
    path("new/", views.public_user_new, name="new"),
    path("action/", views.public_user_action, name="action"),
]
