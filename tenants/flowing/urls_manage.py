"""Filled in by the pages of the flowing-members work."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
