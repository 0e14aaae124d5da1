from __future__ import annotations

import uuid

import pytest

from clienteling.factories import CustomerFactory
from clienteling.models import BrowsingEvent, WishlistItem
from inventory.factories import ProductFactory

URL = "/api/v1/events/"


def event(type="product_view", **overrides):
    return {
        "event_id": str(uuid.uuid4()),
        "type": type,
        "occurred_at": "2026-11-23T09:12:00+01:00",
        "session_id": "s-42",
        "channel": "web",
        **overrides,
    }


@pytest.mark.django_db
def test_a_repeated_event_id_is_counted_as_a_duplicate(api_client):
    view = event(sku="JKT-001-M")
    api_client.post(URL, {"events": [view]}, format="json")

    response = api_client.post(
        URL, {"events": [view, event(), event() | {"event_id": view["event_id"]}]}, format="json"
    )

    assert response.json() == {"accepted": 1, "duplicates": 2}
    assert BrowsingEvent.objects.count() == 2


@pytest.mark.django_db
def test_events_for_an_unknown_customer_and_sku_are_kept_unlinked(api_client):
    api_client.post(URL, {"events": [event(customer_external_id="C-LATER", sku="SKU-LATER")]}, format="json")

    stored = BrowsingEvent.objects.get()
    assert (stored.customer, stored.customer_external_id, stored.product, stored.sku) == (
        None,
        "C-LATER",
        None,
        "SKU-LATER",
    )


@pytest.mark.django_db
def test_known_customer_and_product_are_linked_on_arrival(api_client):
    giulia = CustomerFactory(external_id="C-1001")
    jacket = ProductFactory(sku="JKT-001-M")

    api_client.post(URL, {"events": [event(customer_external_id="C-1001", sku="JKT-001-M")]}, format="json")

    stored = BrowsingEvent.objects.get()
    assert (stored.customer, stored.product) == (giulia, jacket)


@pytest.mark.django_db
def test_a_login_links_the_sessions_earlier_anonymous_events(api_client):
    giulia = CustomerFactory(external_id="C-1001")
    earlier = event(occurred_at="2026-11-23T09:00:00+01:00")
    other_session = event(session_id="s-other", occurred_at="2026-11-23T09:00:00+01:00")
    login = event("login", customer_external_id="C-1001", occurred_at="2026-11-23T09:05:00+01:00")

    api_client.post(URL, {"events": [earlier, other_session]}, format="json")
    api_client.post(URL, {"events": [login]}, format="json")

    assert BrowsingEvent.objects.get(event_id=earlier["event_id"]).customer == giulia
    assert BrowsingEvent.objects.get(event_id=other_session["event_id"]).customer is None


@pytest.mark.django_db
def test_wishlist_events_keep_the_wishlist_whatever_their_arrival_order(api_client):
    giulia = CustomerFactory(external_id="C-1001")
    added = event("wishlist_add", customer_external_id="C-1001", sku="JKT", occurred_at="2026-11-23T09:00:00Z")
    removed = event("wishlist_remove", customer_external_id="C-1001", sku="JKT", occurred_at="2026-11-23T10:00:00Z")
    other = event("wishlist_add", customer_external_id="C-1001", sku="BAG", occurred_at="2026-11-23T09:00:00Z")

    api_client.post(URL, {"events": [removed, other]}, format="json")
    api_client.post(URL, {"events": [added]}, format="json")  # arrives late: the removal still wins

    assert list(WishlistItem.objects.filter(customer=giulia).values_list("sku", flat=True)) == ["BAG"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"type": "purchase"}, "type"),
        ({"occurred_at": "2026-11-23T09:12:00"}, "occurred_at"),
        ({"quantity": -1}, "quantity"),
        ({"channel": None}, "channel"),
        ({"session_id": 42}, "session_id"),
    ],
)
def test_bad_fields_are_400_naming_the_item_and_field(api_client, bad, field):
    response = api_client.post(URL, {"events": [event(), event() | bad]}, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, field)]
    assert not BrowsingEvent.objects.exists()
