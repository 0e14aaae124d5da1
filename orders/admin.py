from __future__ import annotations

from . import admin_commissions, admin_orders  # noqa: F401  (each registers its models)
