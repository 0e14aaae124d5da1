from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmniportalConfig(AppConfig):
    name = "omniportal"
    verbose_name = _("Portal and access")

    def ready(self) -> None:
        from . import lookups, signals  # noqa: F401
