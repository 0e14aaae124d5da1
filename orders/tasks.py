"""Celery discovers `orders.tasks`; the tasks live beside the code they serve."""

from __future__ import annotations

from . import tasks_commissions, tasks_orders, tasks_pickups  # noqa: F401
