"""Deterministic demo data for `manage.py seed_demo` (see docs/demo-data.md)."""
