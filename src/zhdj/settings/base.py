"""Settings shared by every environment. Every value comes from the environment.

Docs: docs/architecture.md (hosts, schemas, processes), docs/operations.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]
env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[".localhost", "localhost"])
LANGUAGE_CODE = "zh-hans"
# The only language: LocaleMiddleware would otherwise follow a client's Accept-Language and
# answer form and API errors in English.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The platform's domain: the city site is city.<base>, each county is <schema>.<base>.
ZHDJ_BASE_DOMAIN = env("ZHDJ_BASE_DOMAIN", default="localhost")
ZHDJ_CITY_HOST = env("ZHDJ_CITY_HOST", default=f"city.{ZHDJ_BASE_DOMAIN}")
ZHDJ_CITY_NAME = env("ZHDJ_CITY_NAME", default="示范市")
ZHDJ_CITY_REGION_PREFIX = env("ZHDJ_CITY_REGION_PREFIX", default="6108")
ZHDJ_TEMPLATE_SCHEMA = env("ZHDJ_TEMPLATE_SCHEMA", default="county_template")
# Master key for personal-data encryption; per-tenant keys derive from it.
ZHDJ_MASTER_KEY = env("ZHDJ_MASTER_KEY", default="")
# Versioned master keys, current first ("2:<hex>,1:<hex>"); ZHDJ_MASTER_KEY is version 1.
ZHDJ_MASTER_KEYS = env("ZHDJ_MASTER_KEYS", default="")
# aes-256-gcm (default) or sm4-gcm; refuses to start when OpenSSL lacks SM4-GCM.
from zhdj.pii.crypto import check_cipher_setting

ZHDJ_PII_CIPHER = check_cipher_setting(env("ZHDJ_PII_CIPHER", default="aes-256-gcm"))

# ------------------------------------------------------------------------------
# Apps: public schema (shared/) and county schemas (tenants/)
# ------------------------------------------------------------------------------
SHARED_APPS = [
    "shared.customers",
    "shared.standards",
    "shared.cityorg",
    "shared.accounts",
    "shared.rollups",
    "shared.payments",
    "shared.interchange",
    "shared.learning",
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    # After the admin: django-tenants' own admin/index.html and app_list.html read
    # request.tenant.schema_name, and on the city host request.tenant is None (our
    # routing's "public site"); Django's admin templates must win.
    "django_tenants",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_filters",
    "treebeard",
    # The second factor (shared/accounts/otp.py): devices live beside their user.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Failed logins are counted in each site's own schema (shared/accounts/lockouts.py).
    "axes",
    "zhdj.web",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "pgtrigger",
    "pghistory",
    "shared.accounts",
    "tenants.access",
    "tenants.orgs",
    "tenants.members",
    "tenants.notifications",
    "tenants.stats",
    "tenants.imports",
    "tenants.audit",
    "tenants.rules",
    "tenants.orglife",
    "tenants.learning",
    "tenants.flowing",
    "tenants.development",
    "tenants.dues",
    "tenants.transfers",
    "tenants.teams",
    "tenants.logins",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "customers.Tenant"
TENANT_DOMAIN_MODEL = "customers.Domain"
PUBLIC_SCHEMA_URLCONF = "zhdj.urls_public"
ROOT_URLCONF = "zhdj.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# One SET search_path per connection and schema, not per cursor (safe from 4.0.1 on).
TENANT_LIMIT_SET_CALLS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MULTIPROCESSING_MAX_PROCESSES", default=2)
TENANT_MULTIPROCESSING_MAX_TASKS_PER_CHILD = 50

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

MIDDLEWARE = [
    # Outermost: counts and times every request; answers /metrics to the scraper only.
    "zhdj.metrics.MetricsMiddleware",
    # X-Request-ID (nginx's $request_id, else a new one) on every log line of the request.
    "zhdj.web.request_id.RequestIdMiddleware",
    "zhdj.tenancy.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy with a nonce per response, Permissions-Policy (zhdj/web/csp.py).
    "zhdj.web.csp.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhdj.web.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # 动态口令: until the second factor is verified (or bound), nothing else answers.
    "shared.accounts.otp_middleware.OTPRequiredMiddleware",
    "shared.accounts.middleware.PasswordChangeRequiredMiddleware",  # 首次登录须修改密码
    "django.contrib.messages.middleware.MessageMiddleware",
    # A request of an ended session: login page or 401 in Chinese (zhdj/web/sessions.py).
    "zhdj.web.sessions.SessionEndedMiddleware",
    # A NUL in a parameter, or a filter a view refused: a 400 naming it (zhdj/web/inputs.py).
    "zhdj.web.inputs.BadInputMiddleware",
    # Who, which URL and the client IP, attached to every audit row written by the triggers.
    "zhdj.web.history.HistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's PostgreSQL or Redis outage: a Chinese 503, not a 500 (zhdj/web/failure.py).
    "zhdj.web.failure.OutageMiddleware",
    # Last: a locked login gets the login page again, 429 (shared/accounts/lockouts.py).
    "shared.accounts.lockouts.LockoutMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhdj.web.context.site",
            ],
        },
    },
]

WSGI_APPLICATION = "zhdj.wsgi.application"
ASGI_APPLICATION = "zhdj.asgi.application"

# ------------------------------------------------------------------------------
# Database: one PostgreSQL, a schema per county. Session pooling only (never
# PgBouncer transaction mode: search_path is per session).
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# Redis: cache (tenant-prefixed keys), Celery broker, channel layer
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": env("ZHDJ_CACHE_PREFIX", default="zhdj"),
        # A stopped or unreachable Redis costs a request at most these (docs/failure.md):
        # callers of the cache fail soft (zhdj.failsafe), never hang for minutes.
        "OPTIONS": {
            "socket_connect_timeout": env.float("ZHDJ_REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("ZHDJ_REDIS_SOCKET_TIMEOUT", default=1.0),
        },
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # The layer waits on Redis with a server-side blocking pop of 5 s; redis-py 8
            # also defaults the client's read timeout to 5 s, which lost that race on
            # every idle socket and tore the consumer down (channels_redis#422). The
            # client waits longer than the pop, and still notices a dead Redis.
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": 15,
                    "socket_connect_timeout": env.float("ZHDJ_REDIS_CONNECT_TIMEOUT", default=0.5),
                }
            ],
            "prefix": env("ZHDJ_CHANNEL_PREFIX", default="zhdj:asgi"),
            "expiry": 60,
        },
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
# One result backend (one Redis pool and one pub/sub connection) per process, not one per
# thread: by default Celery builds a backend in every thread that sends a task or waits for
# a result (.delay() subscribes to the result), and nothing closes it when a short-lived
# thread ends (a request's thread under ASGI, asyncio.to_thread). Its Redis sockets then
# linger until the cyclic garbage collector happens by (a ResourceWarning in whatever test
# ran then: the CI failure of test_live). The Redis backend serializes its pub/sub use.
CELERY_RESULT_BACKEND_THREAD_SAFE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # A page that queues a job while Redis is unreachable learns it in about a second
    # (then says so in Chinese), not after the default retries of minutes.
    "socket_connect_timeout": env.float("ZHDJ_REDIS_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
# No task runs forever: a soft limit raises SoftTimeLimitExceeded inside the task (it can
# record a failure), the hard limit kills the child. Imports set their own, shorter ones.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("ZHDJ_TASK_SOFT_TIME_LIMIT", default=1800)
CELERY_TASK_TIME_LIMIT = env.int("ZHDJ_TASK_TIME_LIMIT", default=1900)
# A child that grew past this (KiB) is replaced after its task: one huge workbook does not
# leave a bloated worker behind.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("ZHDJ_WORKER_MAX_MEMORY_KB", default=1024 * 1024)
# Tasks whose job row counts its deliveries (imports) give up after this many.
ZHDJ_TASK_MAX_DELIVERIES = env.int("ZHDJ_TASK_MAX_DELIVERIES", default=3)
CELERY_TASK_TENANT_CACHE_SECONDS = 30

# ------------------------------------------------------------------------------
# Accounts and sessions (等保 2.0: idle timeout, strong hashes, complexity)
# ------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shared.accounts.validators.CharacterClassValidator"},
    # 等保: none of the last five passwords again (also records each new one).
    {
        "NAME": "shared.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"count": 5},
    },
]
# Host-only cookies: a session from one county's subdomain is worthless on another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
CSRF_FAILURE_VIEW = "zhdj.web.errors.csrf_failure"
SESSION_COOKIE_NAME = "zhdj_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=1800)
# Idle timeout: the expiry slides forward at most once a minute (zhdj.web.sessions), not
# with a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
# Sessions live in the database alone: logging in and every page keep working while Redis
# is down (cached_db's exists/load/delete raise on a dead cache). One primary-key read per
# request; measured in docs/failure.md.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
ZHDJ_SESSION_REFRESH_SECONDS = env.int("ZHDJ_SESSION_REFRESH_SECONDS", default=60)
# Absolute cap: a session ends this long after login whatever its activity (12 h).
ZHDJ_SESSION_MAX_AGE = env.int("ZHDJ_SESSION_MAX_AGE", default=12 * 3600)
# How often an open websocket checks that its session still lives (expired, capped).
ZHDJ_WS_SESSION_CHECK_SECONDS = env.float("ZHDJ_WS_SESSION_CHECK_SECONDS", default=60)
# A password older than this must be changed at the next login (0: never expires).
ZHDJ_PASSWORD_MAX_AGE_DAYS = env.int("ZHDJ_PASSWORD_MAX_AGE_DAYS", default=90)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Proxies of our own in front of the server (nginx: 1); the client address is read that
# many places from the right of X-Forwarded-For, never from the left (zhdj.web.client).
ZHDJ_TRUSTED_PROXIES = env.int("ZHDJ_TRUSTED_PROXIES", default=0)
# Security events (shared.accounts.events) are kept this long, never less than 180 days
# (等保 level 3: audit records kept at least six months; the database enforces the floor).
ZHDJ_AUDIT_RETENTION_DAYS = max(180, env.int("ZHDJ_AUDIT_RETENTION_DAYS", default=365))
# Login lockout (登录失败处理, django-axes; shared/accounts/lockouts.py). Failures are kept
# in the database of the site's schema, never in Redis: login works while Redis is down.
# Three counters over the cool-off time: a name from one address, one address, one name.
AUTHENTICATION_BACKENDS = [
    "shared.accounts.lockouts.LockoutBackend",  # axes.backends.AxesStandaloneBackend
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "shared.accounts.lockouts.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env.int("ZHDJ_LOGIN_FAILURE_LIMIT", default=5)
ZHDJ_LOGIN_IP_FAILURE_LIMIT = env.int("ZHDJ_LOGIN_IP_FAILURE_LIMIT", default=20)
ZHDJ_LOGIN_USER_FAILURE_LIMIT = env.int("ZHDJ_LOGIN_USER_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ZHDJ_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_CLIENT_IP_CALLABLE = "zhdj.web.client.client_ip"
AXES_LOCKOUT_CALLABLE = "shared.accounts.lockouts.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The lock runs from the last counted failure; attempts during it are refused unchecked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The login log is accounts.SecurityEvent (shared/accounts/signals.py), not axes' tables.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# axes.W002 compares MIDDLEWARE to its own class's path; LockoutMiddleware subclasses it.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# 动态口令 (shared/accounts/otp.py). The window stays ±1 step: an accepted neighbouring code
# must not move it for good (servers keep NTP time, phones network time).
OTP_TOTP_SYNC = False
OTP_TOTP_ISSUER = "智慧党建云"
# Wrong codes in one login before the password step starts again.
ZHDJ_OTP_MAX_FAILURES = env.int("ZHDJ_OTP_MAX_FAILURES", default=5)

# ------------------------------------------------------------------------------
# Static files: front-end libraries come from npm (node_modules), never committed.
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("ZHDJ_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The npm libraries' files that pages load, an allow-list (zhdj.web.vendor).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "zhdj.web.vendor.VendorFinder",
]
# Production (and ``make demo``): names with a hash of the content (app.3f2a….css, cached a
# year by nginx) and a .gz beside each text file (nginx gzip_static); collectstatic writes
# both and the manifest the {% static %} tag reads. Tests and runserver: plain names.
_STATIC_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env.bool("ZHDJ_STATIC_MANIFEST", default=False)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
MEDIA_ROOT = env("ZHDJ_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# County archives (shared/customers/backup, docs/operations.md): written under
# ZHDJ_BACKUP_DIR, encrypted to the age recipients listed (public keys "age1…",
# comma-separated). Restoring needs one of their identities (the private keys), kept
# offline, apart from the archives and from the master keys.
ZHDJ_BACKUP_DIR = env("ZHDJ_BACKUP_DIR", default=str(BASE_DIR / ".local" / "backups"))
ZHDJ_BACKUP_RECIPIENTS = env.list("ZHDJ_BACKUP_RECIPIENTS", default=[])
# The nightly archives are kept this many days (a county's newest always stays).
ZHDJ_BACKUP_KEEP_DAYS = env.int("ZHDJ_BACKUP_KEEP_DAYS", default=14)
# Offboarding a county wants an archive of it at most this old (else an extra confirmation).
ZHDJ_OFFBOARD_ARCHIVE_MAX_HOURS = env.int("ZHDJ_OFFBOARD_ARCHIVE_MAX_HOURS", default=24)
# Development and tests only: with no recipients listed, archives are encrypted to this
# identity (made on first use). A production server never holds an identity.
ZHDJ_BACKUP_IDENTITY_FILE = env("ZHDJ_BACKUP_IDENTITY_FILE", default="")
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# daphne serves /static/ itself in local runs and tests; nginx does in production.
ZHDJ_SERVE_STATIC = env.bool("ZHDJ_SERVE_STATIC", default=DEBUG)

# ------------------------------------------------------------------------------
# REST API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API is an English developer page that any logged-in user
    # could open; developers read /api/docs/ (Swagger, its own renderers).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "zhdj.pagination.CountingPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "zhdj.api.exception_handler",
    # Per signed-in user and per anonymous address, counted in the cache; a cache outage
    # lets requests through (zhdj/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "zhdj.throttling.UserThrottle",
        "zhdj.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("ZHDJ_API_THROTTLE_USER", default="600/min"),
        "anon": env("ZHDJ_API_THROTTLE_ANON", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "智慧党建云 API",
    "DESCRIPTION": "County (tenant) API: every request is scoped to the host's county schema.",
    "VERSION": "0.1.0",
    # Swagger UI from the sidecar package's static files (no CDN: the platform may have
    # no internet), its start script a file of its own (zhdj.api.APIDocsView): under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zhdj.api.document_error_responses",
    ],
}

# ------------------------------------------------------------------------------
# Logging: every record carries the schema; personal data is redacted.
# ------------------------------------------------------------------------------
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
# "plain" lines, or "json" (one object per line: time, level, logger, message, schema,
# request_id) for a log collector; production defaults to json.
LOG_FORMAT = env("ZHDJ_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant": {"()": "zhdj.observability.TenantLogFilter"},
        "redact": {"()": "zhdj.observability.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(schema)s %(request_id)s] %(name)s: %(message)s"
        },
        # One JSON object per line, for the log collector (production's default).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(schema)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["tenant", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its INFO lines are a progress report of every PDF rendered (letters, files).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # A line per login otherwise; failures and lockouts are WARNING (and security events).
        "axes": {"level": "WARNING"},
    },
}

# ------------------------------------------------------------------------------
# Sentry: on when SENTRY_DSN is set; events tagged with the schema, scrubbed.
# ------------------------------------------------------------------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="local")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

# Term-expiry reminders (换届提醒): days before the end of a term (0: the day itself).
ZHDJ_TERM_REMINDER_DAYS = tuple(
    env.list("ZHDJ_TERM_REMINDER_DAYS", cast=int, default=[90, 30, 7, 0])
)

# pghistory attaches the user and URL to writes; reads need no context.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Initializers run inside a new county's schema during onboarding (shared/ may not
# import tenants/, so the tenant apps are named here, in configuration).
ZHDJ_TENANT_INITIALIZERS = [
    "tenants.orgs.services.org_create_county_root",
]
# A county restored under a new name (shared/customers/backup): its root gets its city node.
ZHDJ_TENANT_RELINK = "tenants.orgs.services.org_link_city"

if SENTRY_DSN:
    from zhdj.observability import init_sentry

    init_sentry(SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_TRACES_SAMPLE_RATE)

# ------------------------------------------------------------------------------
# Party dues payments (党费在线支付): gateway accounts, keys, the local gateway double.
# docs/dues.md. The double (a local cashier that speaks each gateway's protocol with the
# TEST ONLY keys in shared/payments/double/test_keys/) is on in local and test, off by
# default in production, where every key path must come from the environment.
# ------------------------------------------------------------------------------
ZHDJ_PAYMENT_DOUBLE = env.bool("ZHDJ_PAYMENT_DOUBLE", default=DEBUG)
_PAY_TEST_KEYS = BASE_DIR / "shared" / "payments" / "double" / "test_keys"


def _pay_path(name: str, test_file: str) -> str:
    default = str(_PAY_TEST_KEYS / test_file) if ZHDJ_PAYMENT_DOUBLE else ""
    return env(name, default=default)


ZHDJ_PAY = {
    # Our merchant key (signs orders); the gateway's key (verifies its notifications).
    "MERCHANT_PRIVATE_KEY": _pay_path("ZHDJ_PAY_MERCHANT_KEY", "TEST_ONLY_merchant_private.pem"),
    "ALIPAY_APP_ID": env("ZHDJ_PAY_ALIPAY_APP_ID", default="2026000000000001"),
    "ALIPAY_SELLER_ID": env("ZHDJ_PAY_ALIPAY_SELLER_ID", default="2088000000000001"),
    "ALIPAY_PUBLIC_KEY": _pay_path("ZHDJ_PAY_ALIPAY_PUBLIC_KEY", "TEST_ONLY_gateway_public.pem"),
    "WECHAT_APP_ID": env("ZHDJ_PAY_WECHAT_APP_ID", default="wxtestonly0000001"),
    "WECHAT_MCH_ID": env("ZHDJ_PAY_WECHAT_MCH_ID", default="1900000001"),
    "WECHAT_CERT_SERIAL": env("ZHDJ_PAY_WECHAT_CERT_SERIAL", default="TESTONLYMERCHANTSERIAL"),
    "WECHAT_APIV3_KEY": env(
        "ZHDJ_PAY_WECHAT_APIV3_KEY",
        default="TESTONLYapiv3key0123456789abcdef" if ZHDJ_PAYMENT_DOUBLE else "",
    ),
    "WECHAT_PLATFORM_PUBLIC_KEY": _pay_path(
        "ZHDJ_PAY_WECHAT_PLATFORM_KEY", "TEST_ONLY_gateway_public.pem"
    ),
    "WECHAT_TIMESTAMP_WINDOW": env.int("ZHDJ_PAY_WECHAT_TIMESTAMP_WINDOW", default=300),
    "UNIONPAY_MER_ID": env("ZHDJ_PAY_UNIONPAY_MER_ID", default="777290058100001"),
    "UNIONPAY_ROOT_CERT": _pay_path("ZHDJ_PAY_UNIONPAY_ROOT_CERT", "TEST_ONLY_unionpay_root.crt"),
    # Real gateways' addresses; the double replaces them when ZHDJ_PAYMENT_DOUBLE is on.
    "ALIPAY_GATEWAY": env(
        "ZHDJ_PAY_ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do"
    ),
    "WECHAT_API": env("ZHDJ_PAY_WECHAT_API", default="https://api.mch.weixin.qq.com"),
    "UNIONPAY_FRONT": env(
        "ZHDJ_PAY_UNIONPAY_FRONT",
        default="https://gateway.95516.com/gateway/api/frontTransReq.do",
    ),
    "UNIONPAY_FILE": env("ZHDJ_PAY_UNIONPAY_FILE", default="https://filedownload.95516.com/"),
}
# Where a county's dues code hands a verified notification (shared/ never imports tenants/).
ZHDJ_PAYMENT_HANDLER = "tenants.dues.payments.payment_notice_apply"

# ------------------------------------------------------------------------------
# City dashboard and e-map (全市看板 / 党建电子地图): rollup timing, live updates, tiles.
# docs/dashboard.md. No tile server is reachable by default: the map then draws the
# county boundaries (standards) only. A real deployment sets e.g. 天地图:
#   ROLLUPS_MAP_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk={key}
#   ROLLUPS_MAP_TILE_KEY=<key>  ROLLUPS_MAP_TILE_SUBDOMAINS=01234567
# ------------------------------------------------------------------------------
ROLLUPS_DEBOUNCE_SECONDS = env.float("ROLLUPS_DEBOUNCE_SECONDS", default=2.0)
ROLLUPS_DIRTY_TTL_SECONDS = env.int("ROLLUPS_DIRTY_TTL_SECONDS", default=120)
ROLLUPS_FULL_EVERY_SECONDS = env.float("ROLLUPS_FULL_EVERY_SECONDS", default=900.0)
ROLLUPS_SNAPSHOT_DAYS = env.int("ROLLUPS_SNAPSHOT_DAYS", default=800)
# Parallel query workers per statement in a county task of the fanned-out city run (the
# run already keeps the worker's processes, one county each, on every core): PostgreSQL's
# max_parallel_workers_per_gather for the task's session. 0 measured ~9 % less CPU and
# wall time per run on 2 cores with `-c 2` (docs/performance.md §0d).
ROLLUPS_FAN_OUT_PARALLEL_WORKERS = env.int("ROLLUPS_FAN_OUT_PARALLEL_WORKERS", default=0)
ROLLUPS_MAP_TILE_URL = env("ROLLUPS_MAP_TILE_URL", default="")
ROLLUPS_MAP_TILE_KEY = env("ROLLUPS_MAP_TILE_KEY", default="")
ROLLUPS_MAP_TILE_SUBDOMAINS = env("ROLLUPS_MAP_TILE_SUBDOMAINS", default="")
ROLLUPS_MAP_ATTRIBUTION = env("ROLLUPS_MAP_ATTRIBUTION", default="")
# Geocoding of an organization's address (地址解析) in its edit form, src/zhdj/geocoding/:
# "" (off: the user picks the point on the map), "tianditu" (天地图), "amap" (高德) or
# "double" (the local double of tests and the demo, no network). URL defaults per service.
ZHDJ_GEOCODER = env("ZHDJ_GEOCODER", default="")
ZHDJ_GEOCODER_URL = env("ZHDJ_GEOCODER_URL", default="")
ZHDJ_GEOCODER_KEY = env("ZHDJ_GEOCODER_KEY", default="")
# The organization scope of a request (zhdj.web.access.scoped_page, the county dashboard):
# named here, as shared/ and the web glue may not import tenants/
ZHDJ_SCOPE_RESOLVER = "tenants.access.scope.request_scope"
# Websocket paths the public (city) host may open; every other path needs a county host.
ZHDJ_PUBLIC_WEBSOCKET_PATHS = ("/ws/dashboard/",)

# ------------------------------------------------------------------------------
# Transfers (组织关系转接): the public address printed in the letter's QR code.
# docs/transfers.md
# ------------------------------------------------------------------------------
ZHDJ_LETTER_VERIFY_BASE = env(
    "ZHDJ_LETTER_VERIFY_BASE", default=f"https://{ZHDJ_CITY_HOST}/letters/"
)
# UnionPay's signing certificate must be issued by UNIONPAY_ROOT_CERT to this organization.
ZHDJ_PAY["UNIONPAY_CERT_ORG"] = env(
    "ZHDJ_PAY_UNIONPAY_CERT_ORG",
    default="China UnionPay TEST ONLY" if ZHDJ_PAYMENT_DOUBLE else "中国银联股份有限公司",
)

# ------------------------------------------------------------------------------
# Outbound messages (SMS / WeChat template messages), docs/development.md#reminders.
# Default: the logging backend (nothing leaves the machine). For WeChat set
# ZHDJ_MESSAGING_BACKEND=zhdj.messaging.wechat.WeChatTemplateBackend and the options.
# ------------------------------------------------------------------------------
ZHDJ_MESSAGING = {
    "BACKEND": env("ZHDJ_MESSAGING_BACKEND", default="zhdj.messaging.logging.LoggingBackend"),
    "OPTIONS": env.json("ZHDJ_MESSAGING_OPTIONS", default={}),
    # Accounts' messages (login issued, password reset, reset code; tenants/logins) go by
    # SMS. Aliyun SMS: ZHDJ_SMS_BACKEND=zhdj.messaging.sms_aliyun.AliyunSmsBackend, the
    # AccessKey, the approved sign name and one template code per key, e.g.
    # ZHDJ_SMS_TEMPLATES='{"accounts.login_issued": "SMS_…", "accounts.password_reset":
    # "SMS_…", "accounts.reset_code": "SMS_…"}'. ZHDJ_SMS_DOUBLE=1 (local, demo): the
    # local double (zhdj.messaging.sms_double) at ZHDJ_SMS_ENDPOINT with its TEST ONLY key.
    "SMS": {
        "BACKEND": env("ZHDJ_SMS_BACKEND", default="zhdj.messaging.logging.LoggingBackend"),
        "OPTIONS": {
            "endpoint": env("ZHDJ_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"),
            "access_key_id": env("ZHDJ_SMS_ACCESS_KEY_ID", default=""),
            "access_key_secret": env("ZHDJ_SMS_ACCESS_KEY_SECRET", default=""),
            "sign_name": env("ZHDJ_SMS_SIGN_NAME", default=""),
            "templates": env.json("ZHDJ_SMS_TEMPLATES", default={}),
        },
    },
}
if env.bool("ZHDJ_SMS_DOUBLE", default=False):
    from zhdj.messaging.sms_double import backend_options as _sms_double_options

    ZHDJ_MESSAGING["SMS"] = {
        "BACKEND": "zhdj.messaging.sms_aliyun.AliyunSmsBackend",
        "OPTIONS": _sms_double_options(env("ZHDJ_SMS_ENDPOINT", default="http://127.0.0.1:8125/")),
    }

# ------------------------------------------------------------------------------
# Security headers (issue 17, zhdj/web/csp.py). The policy is enforced everywhere, tests
# included: scripts only from 'self' or with the response's nonce, no inline style
# attributes, no plugins, no framing, forms to ourselves and the payment gateways.
# ------------------------------------------------------------------------------
from urllib.parse import urlsplit as _urlsplit

from csp.constants import NONCE, NONE, SELF


def _origin(url: str) -> str | None:
    """A CSP source for a URL, or a URL template such as a tile server's
    https://t{s}.tianditu.gov.cn/…: a placeholder in the host widens its leftmost label to
    ``*`` (the only wildcard CSP knows)."""
    parts = _urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc
    if "{" in host:
        host = ".".join(["*", *(label for label in host.split(".")[1:] if "{" not in label)])
    return f"{parts.scheme}://{host}"


# Where a payment form sends the payer, and where the gateway's cashier redirects it on
# (form-action covers the redirects after a form, too). The local double lives on the
# city host: the dues checkout page names it for its own response (allow_form_target).
ZHDJ_CSP_FORM_ACTION = [
    *{
        o
        for o in (
            _origin(ZHDJ_PAY["ALIPAY_GATEWAY"]),
            _origin(ZHDJ_PAY["UNIONPAY_FRONT"]),
        )
        if o
    },
    *env.list(
        "ZHDJ_CSP_FORM_ACTION",
        default=["https://*.alipay.com", "https://*.95516.com", "https://wx.tenpay.com"],
    ),
]
_tiles = _origin(ROLLUPS_MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([_tiles] if _tiles else [])],
        "font-src": [SELF, "data:"],
        # The page's own ws(s):// host is added per request (websockets: dashboard, bell).
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *sorted(ZHDJ_CSP_FORM_ACTION)],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Powerful browser features: none, except the camera on our own pages (scanning a QR code).
ZHDJ_PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "geolocation",
                "microphone",
                "payment",
                "usb",
                "serial",
                "midi",
                "magnetometer",
                "gyroscope",
                "accelerometer",
                "display-capture",
                "browsing-topics",
            )
        ),
    ]
)
