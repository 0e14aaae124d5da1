from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("products/", api.ProductsView.as_view(), name="api-products"),
    path("locations/", api.LocationsView.as_view(), name="api-locations"),
    path("stock/", api.StockView.as_view(), name="api-stock"),
    path("availability/", api.AvailabilityView.as_view(), name="api-availability"),
    path("stores/", api.StoresView.as_view(), name="api-stores"),
]
