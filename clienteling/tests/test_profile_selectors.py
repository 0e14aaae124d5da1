from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory
from clienteling.models import CartStatus
from clienteling.selectors import (
    availability_for_products,
    customer_current_cart,
    customer_events_page,
    store_colleagues,
)

pytestmark = pytest.mark.django_db


def test_availability_here_and_in_the_network_in_one_query(giacca, sciarpa, store_milano, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = availability_for_products(product_ids=[giacca.pk, sciarpa.pk], store=store_milano)
    assert (found[giacca.pk].here, found[giacca.pk].network) == (2, 14)
    assert (found[sciarpa.pk].here, found[sciarpa.pk].network) == (0, 4)


def test_availability_without_a_store_counts_the_network_only(giacca):
    assert availability_for_products(product_ids=[giacca.pk], store=None)[giacca.pk].here == 0


def test_current_cart_is_the_latest_active_one(giulia, giacca):
    now = timezone.now()
    CartFactory(customer=giulia, source_updated_at=now - timedelta(days=2))
    latest = CartFactory(customer=giulia, source_updated_at=now - timedelta(days=1))
    CartFactory(customer=giulia, source_updated_at=now, status=CartStatus.ORDERED)
    CartLineFactory(cart=latest, product=giacca, sku=giacca.sku)
    assert customer_current_cart(customer=giulia) == latest


def test_events_page_is_newest_first_with_a_cursor_only_when_more_remain(giulia):
    now = timezone.now()
    events = [BrowsingEventFactory(customer=giulia, occurred_at=now - timedelta(minutes=i)) for i in range(12)]
    first, cursor = customer_events_page(customer=giulia, size=10)
    assert first == events[:10] and cursor == (events[9].occurred_at, events[9].pk)
    rest, end = customer_events_page(customer=giulia, before=cursor, size=10)
    assert rest == events[10:] and end is None


def test_colleagues_are_the_people_of_this_store(associate_milano, manager_milano, associate_roma, store_milano):
    assert set(store_colleagues(store=store_milano)) == {associate_milano, manager_milano}
    assert not store_colleagues(store=None).exists()
