from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("customers/<int:pk>/basket-from-cart/", views.basket_from_cart, name="basket-from-cart"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/<str:number>/", views.order_detail, name="order-detail"),
]
