from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling.factories import CustomerFactory, VisitFactory
from clienteling.models import VisitSource
from clienteling.selectors import customer_recent_visits

pytestmark = pytest.mark.django_db


def test_visits_are_the_customers_own_newest_first_at_every_store(giulia, store_milano, store_roma):
    now = timezone.now()
    old = VisitFactory(customer=giulia, store=store_roma, seen_at=now - timedelta(days=30), source=VisitSource.APP)
    new = VisitFactory(customer=giulia, store=store_milano, seen_at=now - timedelta(hours=1))
    VisitFactory(customer=CustomerFactory(), store=store_milano, seen_at=now)
    assert customer_recent_visits(customer=giulia) == [new, old]


def test_visits_are_cut_to_the_newest_few_with_their_store_in_one_query(
    giulia, store_milano, django_assert_num_queries
):
    now = timezone.now()
    for hours in range(12):
        VisitFactory(customer=giulia, store=store_milano, seen_at=now - timedelta(hours=hours))
    with django_assert_num_queries(1):
        visits = customer_recent_visits(customer=giulia, limit=5)
        assert [visit.store.name for visit in visits] == ["Milano Duomo"] * 5
    assert [visit.seen_at for visit in visits] == sorted((visit.seen_at for visit in visits), reverse=True)
    assert visits[0].seen_at == max(v.seen_at for v in giulia.visits.all())
