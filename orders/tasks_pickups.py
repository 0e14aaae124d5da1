"""Celery beat task of the click-and-collect queue: pickups never collected go back to stock.

Apart from the email task (tasks_orders) because it calls the lifecycle services, which enqueue that task.
"""

from __future__ import annotations

from celery import shared_task

from .services.lifecycle import pickups_expire
from .tasks_orders import TRANSIENT_ERRORS


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=10, max_retries=3, time_limit=300)
def expire_pickups() -> int:
    return pickups_expire()
