"""The Celery app `omniportal`: `celery -A omniportal worker` / `celery -A omniportal beat`."""

from __future__ import annotations

import os

from celery import Celery

from . import celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omniportal.settings")

app = Celery("omniportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Request ids into task headers and back, failure and retry log lines, Django's LOGGING in workers and beat.
celery_signals.connect()
