from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("today/tasks/<int:task_pk>/done/", views.home_task_done, name="home-task-done"),
    path("customers/<int:pk>/", views.customer_detail, name="customer-detail"),
]
