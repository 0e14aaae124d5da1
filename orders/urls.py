from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("orders/<str:number>/", views.order_detail, name="order-detail"),
]
