from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("customers/", api.CustomersView.as_view(), name="api-customers"),
    path("events/", api.EventsView.as_view(), name="api-events"),
    path("carts/<str:cart_id>/", api.CartView.as_view(), name="api-cart"),
    path("visits/", api.VisitsView.as_view(), name="api-visits"),
]
