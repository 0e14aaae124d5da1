"""Rows of other apps that wait for a product: linked when its SKU arrives (omniportal.waiting).

Apps above inventory register their models here in their AppConfig.ready(); `products_upsert` links them.
"""

from __future__ import annotations

from omniportal.waiting import WaitingRows

from .models import Product

waiting_for_product = WaitingRows(target=Product, target_key="sku")
