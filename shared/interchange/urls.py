from __future__ import annotations

from django.urls import path

from shared.interchange import views

app_name = "interchange"
urlpatterns = [
    path("<str:token>/", views.letter_verify, name="verify"),
]
