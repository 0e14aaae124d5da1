"""The nightly build of the insight facts (SPEC 2.6)."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from .facts import insight_day_rebuild, insight_days_to_refresh

logger = logging.getLogger(__name__)

# Named, not derived from the module path: beat and the queues know a task by its name, and a module that moves
# again must not orphan the messages already queued.


@shared_task(name="insights.rebuild_day", acks_late=True, time_limit=900, soft_time_limit=840)
def insights_rebuild_day(day: str) -> None:
    """Rebuild one day's facts. Safe to run twice or concurrently: the day is replaced in one transaction."""
    built = insight_day_rebuild(day=date.fromisoformat(day))
    logger.info("insight facts for %s rebuilt in %.1f s", built.day, built.seconds)


@shared_task(name="insights.nightly", acks_late=True, time_limit=60, soft_time_limit=50)
def insights_nightly() -> None:
    """Celery beat, every night: one task per day whose facts can still change (each finishes on its own)."""
    for day in insight_days_to_refresh():
        insights_rebuild_day.delay(day.isoformat())
