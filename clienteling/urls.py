from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.customer_search, name="customer-search"),
    path("customers/access-log/", views.access_log, name="customer-access-log"),
    path("customers/<int:pk>/events/", views.customer_events, name="customer-events"),
    path("customers/<int:pk>/notes/", views.note_add, name="customer-note-add"),
    path("customers/<int:pk>/tasks/", views.task_add, name="customer-task-add"),
    path("customers/<int:pk>/tasks/<int:task_pk>/complete/", views.task_complete, name="customer-task-complete"),
]
