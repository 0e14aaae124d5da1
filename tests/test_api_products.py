from __future__ import annotations

import pytest

from clienteling.factories import BrowsingEventFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import Category, Product
from omniportal.services import integration_token_create

URL = "/api/v1/products/"


def product(sku="JKT-001-M", **extra):
    return {
        "sku": sku,
        "name": "Giacca in lana",
        "category": "outerwear",
        "price": "189.00",
        "currency": "EUR",
        **extra,
    }


@pytest.mark.django_db
def test_new_products_are_created_with_their_category_and_search_text(api_client):
    response = api_client.post(URL, {"products": [product(brand="Ömni")]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "ignored": 0}
    stored = Product.objects.get(sku="JKT-001-M")
    assert stored.category == Category.objects.get(code="outerwear")
    assert stored.search_text == "jkt-001-m giacca in lana omni"


@pytest.mark.django_db
def test_a_known_sku_is_updated_not_duplicated(api_client):
    api_client.post(URL, {"products": [product()]}, format="json")

    response = api_client.post(URL, {"products": [product(name="Giacca blu", price="150.00")]}, format="json")

    assert response.json() == {"created": 0, "updated": 1, "ignored": 0}
    assert Product.objects.get().name == "Giacca blu"


@pytest.mark.django_db
def test_a_new_product_links_events_that_were_waiting_for_its_sku(api_client):
    event = BrowsingEventFactory(sku="JKT-001-M", product=None)

    api_client.post(URL, {"products": [product()]}, format="json")

    event.refresh_from_db()
    assert event.product.sku == "JKT-001-M"


@pytest.mark.django_db
def test_a_bad_currency_rejects_the_whole_batch(api_client):
    response = api_client.post(URL, {"products": [product("A"), product("B", currency="EURO")]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 1, "field": "currency", "message": "Expected `str` of length <= 3"}]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_a_token_without_catalog_scope_gets_403(client):
    _token, key = integration_token_create(name="reader", scopes=["read"])

    response = client.post(
        URL, {"products": [product()]}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 403
    assert "catalog" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_no_token_gets_401(client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response.json()["errors"][0]["index"] is None


@pytest.mark.django_db
def test_the_list_filters_by_sku_in_the_page_number_shape(api_client):
    ProductFactory(sku="A-1")
    ProductFactory(sku="B-2")

    body = api_client.get(URL, {"sku": "B-2"}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert [p["sku"] for p in body["results"]] == ["B-2"]


@pytest.mark.django_db
def test_available_at_keeps_only_products_with_atp_at_that_store(api_client, store_milano, store_roma):
    in_milano = ProductFactory(sku="IN-MI")
    only_reserved = ProductFactory(sku="RESERVED-MI")
    in_roma = ProductFactory(sku="IN-RM")
    StockLevelFactory(product=in_milano, location=store_milano, on_hand=3)
    StockLevelFactory(product=only_reserved, location=store_milano, on_hand=2, reserved=2)
    StockLevelFactory(product=in_roma, location=store_roma, on_hand=5)

    body = api_client.get(URL, {"available_at": "MI01"}).json()

    assert [(p["sku"], p["atp"]) for p in body["results"]] == [("IN-MI", 3)]


@pytest.mark.django_db
def test_available_at_an_unknown_store_is_400(api_client):
    response = api_client.get(URL, {"available_at": "NOPE"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "available_at"
