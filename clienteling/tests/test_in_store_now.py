from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling.factories import CustomerFactory, VisitFactory
from clienteling.selectors import customers_in_store_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(store_milano, store_roma):
    now = timezone.now()
    early = CustomerFactory(first_name="Early", last_name="Bird")
    late = CustomerFactory(first_name="Late", last_name="Comer")
    gone = CustomerFactory(first_name="Long", last_name="Gone")
    roman = CustomerFactory(first_name="Only", last_name="Roma")
    VisitFactory(customer=early, store=store_milano, seen_at=now - timedelta(minutes=90))
    VisitFactory(customer=late, store=store_milano, seen_at=now - timedelta(minutes=5))
    VisitFactory(customer=early, store=store_milano, seen_at=now - timedelta(minutes=100))
    VisitFactory(customer=gone, store=store_milano, seen_at=now - timedelta(hours=2, minutes=1))
    VisitFactory(customer=roman, store=store_roma, seen_at=now)
    VisitFactory(customer=gone, store=store_roma, seen_at=now)  # seen in Roma now, not in Milano
    return {"early": early, "late": late, "gone": gone, "roman": roman}


def test_customers_seen_here_in_the_last_two_hours_newest_first(visits, store_milano):
    assert customers_in_store_now(store=store_milano) == [visits["late"], visits["early"]]


def test_each_customer_once_with_their_latest_visit_here(visits, store_milano):
    early = customers_in_store_now(store=store_milano)[1]
    assert timezone.now() - early.last_seen_at < timedelta(minutes=91)


def test_erased_customers_are_not_listed(visits, store_milano):
    visits["late"].erased_at = timezone.now()
    visits["late"].save()
    assert customers_in_store_now(store=store_milano) == [visits["early"]]


def test_home_partial_polls_and_links_each_customer_to_their_profile(client, associate_milano, visits):
    client.force_login(associate_milano)
    response = client.get("/?part=in-store-now", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'hx-trigger="every 30s"' in body
    assert f"/customers/{visits['late'].pk}/?via=in_store" in body
    assert "Long Gone" not in body and "Only Roma" not in body
    assert body.index("Late Comer") < body.index("Early Bird")


def test_home_partial_has_a_bounded_query_count(client, associate_milano, visits, django_assert_max_num_queries):
    client.force_login(associate_milano)
    with django_assert_max_num_queries(8):
        client.get("/?part=in-store-now", HTTP_HX_REQUEST="true")


def test_tier_of_a_customer_without_consent_is_not_shown(client, associate_milano, store_milano):
    hidden = CustomerFactory(first_name="No", last_name="Consent", loyalty_tier="platinum", consent_clienteling=False)
    VisitFactory(customer=hidden, store=store_milano)
    client.force_login(associate_milano)
    body = client.get("/?part=in-store-now", HTTP_HX_REQUEST="true").content.decode()
    assert "No Consent" in body and "Platinum" not in body


def test_opening_from_in_store_now_is_recorded_as_such(client, associate_milano, visits):
    client.force_login(associate_milano)
    client.get(f"/customers/{visits['late'].pk}/?via=in_store")
    assert visits["late"].accesses.get().via == "in_store"
