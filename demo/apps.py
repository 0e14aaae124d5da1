from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and benchmark data (`manage.py seed_demo`): writes every domain, so it sits above them all."""

    name = "demo"
    verbose_name = _("Demo data")
