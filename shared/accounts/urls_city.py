"""The city site's own accounts (市级账号管理): city and ops users, the city's security
administrator and auditor, and the counties' (区县三员账号, ``officers.py``)."""

from __future__ import annotations

from django.urls import path

from shared.accounts import officers, views

app_name = "cityusers"
urlpatterns = [
    path("", views.public_user_list, name="list"),
    path("new/", views.public_user_new, name="new"),
    path("action/", views.public_user_action, name="action"),
    path("counties/", officers.officers_page, name="officers"),
    path("counties/action/", officers.officer_action, name="officer_action"),
]
