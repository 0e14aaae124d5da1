from __future__ import annotations

from django.urls import include, path

urlpatterns: list = []
urlpatterns += [path("", include("orders.api_commissions"))]
urlpatterns += [path("", include("orders.api_sales"))]
urlpatterns += [path("", include("orders.api_orders"))]
