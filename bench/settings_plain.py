"""(a) Plain Django: stock PostgreSQL backend, no tenancy, the bench app in a plain database.

Same middleware stack as the project minus the tenant middleware and minus the account
middlewares that need the project's own user model and apps (动态口令, first-login password
change, lockouts, the session registry: ``django_otp.``, ``shared.accounts.``,
``zhdj.web.sessions.``); for the bench's anonymous JSON view they only look at the session
and pass, so the ratios to plain include their small cost. Same persistent connections
(CONN_MAX_AGE=60) and connection health checks, DEBUG off.
"""

from __future__ import annotations

from bench.common import DB_PLAIN, db_options, force_env

force_env(DB_PLAIN)

from zhdj.settings import base as _base  # noqa: E402 — reads the environment set above

SECRET_KEY = _base.SECRET_KEY
DEBUG = False
ALLOWED_HOSTS = _base.ALLOWED_HOSTS
LANGUAGE_CODE = _base.LANGUAGE_CODE
TIME_ZONE = _base.TIME_ZONE
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "bench.routingapp",
]
MIDDLEWARE = [
    m
    for m in _base.MIDDLEWARE
    if not m.startswith(("zhdj.tenancy.", "django_otp.", "shared.accounts.", "zhdj.web.sessions."))
]
ROOT_URLCONF = "bench.routingapp.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
SESSION_COOKIE_NAME = _base.SESSION_COOKIE_NAME
SESSION_SAVE_EVERY_REQUEST = _base.SESSION_SAVE_EVERY_REQUEST
ZHDJ_SESSION_REFRESH_SECONDS = _base.ZHDJ_SESSION_REFRESH_SECONDS

DATABASES = {"default": dict(_base.DATABASES["default"])}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _base.DATABASES["default"]["CONN_HEALTH_CHECKS"]
DATABASES["default"]["OPTIONS"] = db_options("zhdj_bench_plain")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}
