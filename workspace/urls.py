from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/<int:pk>/", views.customer_detail, name="customer-detail"),
]
