"""Celery tasks for order fulfilment (pickup expiry, emails)."""
