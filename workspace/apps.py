from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The associate's pages that combine several domains: Today and the customer 360."""

    name = "workspace"
    verbose_name = _("Store workspace")
