"""Omniportal settings: everything comes from the environment, parsed strictly.

Local demo defaults (SQLite, eager Celery, a demo SECRET_KEY) apply only while
DEBUG is on; with DEBUG=False a missing SECRET_KEY is an error and the
security settings default to their safe values.
"""

from __future__ import annotations

import re
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .logging_config import build_logging
from .settings_replica import replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def _strict_bool(name: str, default: bool) -> bool:
    """A boolean that refuses anything but a clear yes or no (`DEBUG=flase` is an error)."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true/false, yes/no, on/off or 1/0.")


DEBUG = _strict_bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="omniportal-local-demo-key-never-use-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: ImproperlyConfigured when missing

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "omniportal",
    "inventory",
    "clienteling",
    "orders",
    "workspace",
    "insights",
    "demo",
]

MIDDLEWARE = [
    *(["omniportal.middleware.ServerTimingMiddleware"] if _strict_bool("SERVER_TIMING", default=True) else []),
    "omniportal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "omniportal.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "omniportal.language.PreferredLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "omniportal.session_timeout.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "omniportal.middleware.CurrentStoreMiddleware",
    "omniportal.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "omniportal.urls"
WSGI_APPLICATION = "omniportal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "omniportal.context_processors.portal",
                "omniportal.context_processors.csp_nonce",
                "orders.context_processors.basket",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server, the eager "worker" and tests share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
# An optional read-only replica for heavy reads that ask for it (omniportal.db_router.read_replica()).
DATABASES.update(replica_databases(env))
DATABASE_ROUTERS = ["omniportal.db_router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "omniportal"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# ModelBackend that loads the staff profile together with the user (one query per request, not two).
AUTHENTICATION_BACKENDS = ["omniportal.auth_backend.StaffModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("it", _("Italiano"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}: Omniportal speaks 'en' and 'it'.")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the stores read them in either language (day first, 24-hour clock): omniportal/formats/.
FORMAT_MODULE_PATH = ["omniportal.formats"]
# A person's language choice outlives the browser session (and follows them: StaffProfile.language).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Omniportal <no-reply@omniportal.local>")

# Security: safe by default when DEBUG is off; each can be turned off explicitly
# (a TLS-terminating proxy, a loopback test host).
SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = _strict_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = _strict_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = _strict_bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
_proxy_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _proxy_header:
    _name, _sep, _value = _proxy_header.partition(",")
    if not _sep:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like 'HTTP_X_FORWARDED_PROTO,https'.")
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies and sessions for shared store tablets. No script reads the CSRF cookie (htmx sends the token from
# hx-headers on <body>), so it is HttpOnly too. A session lasts at most a shift (SESSION_HOURS from sign-in) and
# ends after SESSION_IDLE_MINUTES without a request (omniportal.session_timeout); the PIN switch brings the
# person back in seconds.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_HOURS = env.int("SESSION_HOURS", default=12)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
if SESSION_HOURS <= 0 or SESSION_IDLE_MINUTES <= 0:
    raise ImproperlyConfigured("SESSION_HOURS and SESSION_IDLE_MINUTES must be positive.")
SESSION_COOKIE_AGE = SESSION_HOURS * 3600


def _origins(name: str) -> list[str]:
    """Comma-separated origins (`https://img.example.com`, a port allowed, nothing after the host), strictly."""
    origins = []
    for raw in env.list(name, default=[]):
        origin = raw.strip().rstrip("/")
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:\d{1,5})?", origin, flags=re.IGNORECASE):
            raise ImproperlyConfigured(
                f"{name}: {raw!r} is not an origin: write scheme and host only, like https://img.example.com."
            )
        origins.append(origin)
    return origins


# Product images come from the e-commerce site's image host (the catalogue feed's image_url); the policy lets
# the tablet load them from these origins only.
PRODUCT_IMAGE_ORIGINS = _origins("PRODUCT_IMAGE_ORIGINS")

# Content Security Policy (django-csp): no inline script or style element runs without this response's nonce;
# {% htmx_script %} and templates read it as `csp_nonce`. No style attributes either: templates use classes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *PRODUCT_IMAGE_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Request size: integration batches go up to 5,000 items; a body over this is 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=10 * 1024 * 1024)
API_MAX_BATCH_ITEMS = 5000
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["omniportal.api_auth.IntegrationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["omniportal.api_auth.HasTokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["omniportal.api_auth.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="6000/min")},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "omniportal.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Omniportal integration API",
    "DESCRIPTION": "The e-commerce site, the warehouse system and the tills feed the portal; "
    "the website reads store availability back.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The bodies' schemas are msgspec's JSON Schema (2020-12), which is OpenAPI 3.1's dialect.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "omniportal.api_views.add_components",
    ],
}

# Celery: Redis when configured, otherwise tasks run eagerly in-process (local demo, SQLite tests).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
# Longer than any task's hard time limit, so an unacknowledged task is redelivered only when its worker is gone.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
CELERY_BEAT_SCHEDULE["commissions-sweep"] = {"task": "orders.tasks_commissions.sweep", "schedule": 180.0}
CELERY_BEAT_SCHEDULE["commissions-close-statements"] = {
    "task": "orders.tasks_commissions.close_statements",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["insights-nightly"] = {
    "task": "insights.nightly",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_BEAT_SCHEDULE["orders-expire-pickups"] = {"task": "orders.tasks_pickups.expire_pickups", "schedule": 3600.0}

# Business knobs.
PICKUP_HOLD_DAYS = env.int("PICKUP_HOLD_DAYS", default=7)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")  # absolute links in customer emails
BRAND_NAME = env.str("BRAND_NAME", default="Omniportal")  # the retailer's name on the tracking page and in emails
IN_STORE_NOW_HOURS = 2
ROPO_WINDOW_DAYS = env.int("ROPO_WINDOW_DAYS", default=14)
STAFF_PIN_HOURS = env.int("STAFF_PIN_HOURS", default=12)

# Every line carries the request id (and the task, in a worker); LOG_FORMAT=json for log collectors.
LOGGING = build_logging(env.str("LOG_LEVEL", default="INFO"), env.str("LOG_FORMAT", default="plain"))
