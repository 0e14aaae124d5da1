from __future__ import annotations

import pytest

from clienteling.factories import BrowsingEventFactory, CustomerFactory
from clienteling.models import Cart, Customer, Visit

URL = "/api/v1/customers/"


def customer(external_id="C-1001", **overrides):
    return {
        "external_id": external_id,
        "first_name": "Élodie",
        "last_name": "Müller",
        "phone": "347 123 4567",
        "address": {
            "line1": "Via Torino 5",
            "city": "Milano",
            "postal_code": "20123",
            "country": "IT",
            "lat": 45.4628,
            "lon": 9.1858,
        },
        "consent": {"clienteling": True, "marketing": False},
        "updated_at": "2026-11-23T09:00:00+01:00",
        **overrides,
    }


@pytest.mark.django_db
def test_a_new_customer_gets_its_derived_keys(api_client, store_milano, store_roma):
    response = api_client.post(URL, {"customers": [customer()]}, format="json")

    assert response.json() == {"created": 1, "updated": 0, "ignored": 0}
    stored = Customer.objects.get(external_id="C-1001")
    assert (stored.phone, stored.phone_digits) == ("+393471234567", "393471234567")
    assert stored.search_name == "elodie muller"
    assert stored.nearest_store == store_milano
    assert stored.nearest_store_km < 1


@pytest.mark.django_db
def test_an_older_snapshot_is_ignored_and_a_newer_one_applied(api_client):
    api_client.post(URL, {"customers": [customer()]}, format="json")

    older = api_client.post(
        URL, {"customers": [customer(first_name="Old", updated_at="2026-11-23T07:59:00Z")]}, format="json"
    )
    newer = api_client.post(
        URL, {"customers": [customer(first_name="New", updated_at="2026-11-23T08:01:00Z")]}, format="json"
    )

    assert older.json() == {"created": 0, "updated": 0, "ignored": 1}
    assert newer.json() == {"created": 0, "updated": 1, "ignored": 0}
    assert Customer.objects.get().first_name == "New"


@pytest.mark.django_db
def test_an_invalid_phone_or_email_is_named(api_client):
    response = api_client.post(
        URL, {"customers": [customer(phone="12"), customer("C-2", email="not-an-email")]}, format="json"
    )

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "phone"), (1, "email")]


@pytest.mark.django_db
def test_a_loyalty_number_of_another_customer_is_refused(api_client):
    CustomerFactory(external_id="C-OTHER", loyalty_number="L-1")

    response = api_client.post(URL, {"customers": [customer(loyalty_number="L-1")]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "loyalty_number"


@pytest.mark.django_db
def test_a_new_customer_picks_up_events_carts_and_visits_that_waited_for_it(api_client, store_milano):
    event = BrowsingEventFactory(customer=None, customer_external_id="C-1001")
    cart = Cart.objects.create(
        cart_id="K1",
        customer_external_id="C-1001",
        status="active",
        currency="EUR",
        source_updated_at="2026-11-23T08:00:00Z",
    )
    visit = Visit.objects.create(
        store=store_milano, customer_external_id="C-1001", seen_at="2026-11-23T08:00:00Z", source="wifi"
    )

    api_client.post(URL, {"customers": [customer()]}, format="json")

    created = Customer.objects.get(external_id="C-1001")
    for row in (event, cart, visit):
        row.refresh_from_db()
        assert row.customer == created


@pytest.mark.django_db
def test_an_erased_customer_stays_erased(api_client):
    CustomerFactory(external_id="C-1001", first_name="—", erased_at="2026-11-01T00:00:00Z")

    response = api_client.post(URL, {"customers": [customer()]}, format="json")

    assert response.json()["ignored"] == 1
    assert Customer.objects.get().first_name == "—"
