from __future__ import annotations

from django.urls import include, path

from . import views

urlpatterns = [
    path("customers/<int:pk>/basket-from-cart/", views.basket_from_cart, name="basket-from-cart"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/basket/add/", views.basket_add_view, name="basket-add"),
    path("orders/basket/line/", views.basket_line_view, name="basket-line"),
    path("orders/basket/place/", views.basket_place, name="basket-place"),
    path("orders/<str:number>/", views.order_detail, name="order-detail"),
    path("orders/<str:number>/status/", views.order_move, name="order-move"),
    path("pickups/", views.pickup_queue, name="pickup-queue"),
    path("shipments/", views.shipments, name="shipments"),
    path("track/<str:token>/", views.track, name="track"),
    path("", include("orders.views_commissions")),
]
