"""Celery tasks for the commission ledger: each takes ids, calls a service, and is safe to run twice.

`acks_late` + `reject_on_worker_lost`: a message is acknowledged only after the work committed, so a
killed worker's message is redelivered (after the broker's visibility timeout, longer than any task)
and the unique constraints make the redelivery a no-op. Only transient database errors are retried.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from .commissions import ledger, statements

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}
SWEEP_LOCK = "orders:commissions:sweep"


@shared_task(**RELIABLE, time_limit=60, soft_time_limit=50)
def credit_order(order_id: int) -> None:
    ledger.commission_credit_order(order_id=order_id)


@shared_task(**RELIABLE, time_limit=60, soft_time_limit=50)
def reverse_change(change_id: int) -> None:
    ledger.commission_reverse_change(change_id=change_id)


@shared_task(**RELIABLE, time_limit=600, soft_time_limit=540)
def sweep() -> dict[str, int]:
    """Beat, every few minutes: credit what has no credit after the grace period, reverse what is unreversed."""
    # One sweep at a time; a second one would only repeat the work (harmless, the ledger stays exact).
    if not cache.add(SWEEP_LOCK, "1", timeout=600):
        return {"skipped": 1}
    try:
        result = ledger.commissions_sweep(
            grace=timedelta(minutes=getattr(settings, "COMMISSION_SWEEP_GRACE_MINUTES", 5)), budget_seconds=400
        )
    finally:
        cache.delete(SWEEP_LOCK)
    if result.orders_attempted or result.reversals:
        logger.info(
            "commission sweep: %s orders credited or held (%s held), %s reversals",
            result.orders_attempted,
            result.orders_held,
            result.reversals,
        )
    return {"orders": result.orders_attempted, "held": result.orders_held, "reversals": result.reversals}


@shared_task(**RELIABLE, time_limit=120, soft_time_limit=100)
def close_statements() -> int:
    """Beat, hourly: close every month that has ended (idempotent)."""
    return statements.statements_close_ended_months()
