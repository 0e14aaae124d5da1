"""Test settings: the real settings, made fast and deterministic."""

from __future__ import annotations

from .settings import *  # noqa: F403
from .settings import REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests run tasks eagerly unless a test drives the real worker itself (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min"}}  # noqa: F405
NEAREST_STORE_RECHECK_SECONDS = 0  # each test rolls back its stores; re-validate the nearest-store index on every call
# Serve static files straight from the finders (no collectstatic in tests), through WhiteNoise like production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
