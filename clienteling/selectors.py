"""Reads about customers that more than one caller needs."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from .models import Customer, FollowUpTask, TaskStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from inventory.models import Location


def customers_in_store_now(*, store: Location, limit: int = 30) -> list[Customer]:
    """Customers with a visit at `store` in the last IN_STORE_NOW_HOURS, newest visit first."""
    since = timezone.now() - timedelta(hours=settings.IN_STORE_NOW_HOURS)
    return list(
        Customer.objects.filter(visits__store=store, visits__seen_at__gte=since, erased_at__isnull=True)
        .annotate(last_seen_at=Max("visits__seen_at"))
        .order_by("-last_seen_at", "pk")[:limit]
    )


def tasks_for_person(*, user: AbstractBaseUser, store: Location) -> QuerySet[FollowUpTask]:
    """Open tasks at `store` assigned to `user` or to nobody, soonest due first."""
    from django.db.models import F, Q

    return (
        FollowUpTask.objects.filter(store=store, status=TaskStatus.OPEN)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("customer", "assigned_to")
        .order_by(F("due_on").asc(nulls_last=True), "created_at")
    )
