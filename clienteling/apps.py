from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = _("Clienteling")

    def ready(self) -> None:
        from . import personal_data, waiting

        waiting.register()
        personal_data.register()
