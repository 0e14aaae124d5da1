from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("inventory/", views.inventory_search, name="inventory-search"),
    path("inventory/<str:sku>/", views.inventory_detail, name="inventory-detail"),
]
