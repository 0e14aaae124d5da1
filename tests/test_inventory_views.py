from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import Product
from inventory.selectors import products_search
from inventory.views import NEAREST_SHOWN
from omniportal.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coat(store_milano, store_roma, warehouse_bologna):
    product = ProductFactory(sku="COAT-1", name="Cappotto Lana", barcode="8000000000017")
    StockLevelFactory(location=store_roma, product=product, on_hand=4)
    StockLevelFactory(location=warehouse_bologna, product=product, on_hand=9, reserved=2)
    StockLevelFactory(location=store_milano, product=product, on_hand=0)
    return product


def test_search_by_name_ignores_accents_and_case(client, associate_milano, coat):
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-search"), {"q": "cappotto LÀNA"})
    assert "COAT-1" in response.content.decode()


def test_scanned_barcode_finds_the_product(client, associate_milano, coat):
    ProductFactory(name="Other cappotto")
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-search"), {"q": "8000000000017"})
    assert list(response.context["results"]) == [coat]


def test_in_my_store_filter_hides_products_not_here(client, associate_milano, coat, store_milano):
    here = ProductFactory(name="Cappotto corto")
    StockLevelFactory(location=store_milano, product=here, on_hand=2)
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-search"), {"q": "cappotto", "mine": "1"})
    assert list(response.context["results"]) == [here]


def test_htmx_search_returns_the_partial(client, associate_milano, coat):
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-search"), {"q": "coat"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="product-results"' in body and "<html" not in body


def test_search_query_count_is_bounded(client, associate_milano, coat, django_assert_max_num_queries):
    for n in range(20):
        StockLevelFactory(product=ProductFactory(name=f"Cappotto {n}"), location=LocationFactory(code=f"X{n}"))
    client.force_login(associate_milano)
    client.get(reverse("inventory-search"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("inventory-search"), {"q": "cappotto"})
    assert len(response.context["results"]) == 21


def test_detail_lists_this_store_first_then_by_distance(client, associate_milano, coat):
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-detail", args=["COAT-1"]))
    rows = response.context["table_rows"]
    assert [row["code"] for row in rows] == ["MI01", "WH-BO", "RM01"]
    assert [row["atp"] for row in rows] == [0, 7, 4]
    assert response.context["network_atp"] == 11


def test_detail_query_count_does_not_grow_with_locations(client, associate_milano, coat, django_assert_max_num_queries):
    for n in range(30):
        StockLevelFactory(product=coat, location=LocationFactory(code=f"L{n:02d}", lat=40 + n / 10, lon=10))
    client.force_login(associate_milano)
    client.get(reverse("inventory-detail", args=["COAT-1"]))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("inventory-detail", args=["COAT-1"]))
    assert len(response.context["table_rows"]) == NEAREST_SHOWN
    assert response.context["location_count"] == 33


def test_unknown_sku_is_404(client, associate_milano):
    client.force_login(associate_milano)
    assert client.get(reverse("inventory-detail", args=["NOPE"])).status_code == 404


def test_add_to_basket_is_offered_while_a_basket_is_open(client, associate_milano, coat):
    customer = CustomerFactory(first_name="Lucia")
    client.force_login(associate_milano)
    client.get(reverse("order-new"), {"customer": customer.pk})
    response = client.get(reverse("inventory-detail", args=["COAT-1"]))
    assert 'data-testid="add-to-basket"' in response.content.decode()


def test_signed_out_is_sent_to_sign_in(client, coat):
    assert client.get(reverse("inventory-detail", args=["COAT-1"])).status_code == 302


def test_the_apostrophe_migration_refolds_a_product_typed_with_smart_punctuation(db):

    migration = importlib.import_module("inventory.migrations.0004_search_keys_with_typographic_apostrophes")
    product = ProductFactory(sku="LV-501", name="Levi’s 501", brand="Levi’s")
    Product.objects.filter(pk=product.pk).update(search_text="lv-501 levi’s 501 levi’s")  # folded by the old rule
    migration.forwards(apps, None)
    assert Product.objects.get(pk=product.pk).search_text == "lv-501 levi's 501 levi's"
    assert [p.pk for p in products_search(query="Levi’s")] == [product.pk]
    assert [p.pk for p in products_search(query="levi's 501")] == [product.pk]
