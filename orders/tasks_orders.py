"""Celery tasks for the customer's emails about an order.

Each takes ids and calls one function; running one twice has the effect of running it once.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .emails import order_email_send

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    autoretry_for=(*TRANSIENT_ERRORS, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    time_limit=60,
    soft_time_limit=50,
)
def send_order_email(order_id: int, kind: str) -> bool:
    return order_email_send(order_id=order_id, kind=kind)
