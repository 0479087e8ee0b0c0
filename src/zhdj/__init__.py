"""ZHDJ (智慧党建云) project configuration package."""

from __future__ import annotations

from zhdj.celery import app as celery_app

__all__ = ["celery_app"]
