"""Celery tasks for the commission ledger."""
