"""Products are listed with their picture (or a neutral placeholder) and their price with its currency, at no
extra query."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.factories import ProductFactory, StockLevelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coats(store_milano):
    pictured = ProductFactory(
        sku="COAT-1", name="Cappotto lana", price=Decimal("1249.90"), image_url="/static/demo/products/coat-nero.svg"
    )
    plain = ProductFactory(sku="COAT-2", name="Cappotto corto", price=Decimal("189.00"), image_url="")
    StockLevelFactory(product=pictured, location=store_milano, on_hand=2)
    return pictured, plain


def _row(body: str, sku: str) -> str:
    return next(row for row in body.split('data-testid="product-row"')[1:] if sku in row).split("</tr>")[0]


def test_search_results_show_each_products_picture_or_a_placeholder(client, associate_milano, coats):
    client.force_login(associate_milano)
    body = client.get(reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert 'src="/static/demo/products/coat-nero.svg"' in _row(body, "COAT-1")
    assert 'data-testid="thumb-none"' in _row(body, "COAT-2")


def test_search_results_show_the_price_with_its_currency_in_the_readers_language(client, associate_milano, coats):
    client.force_login(associate_milano)
    body = client.get(reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert "€1,249.90" in _row(body, "COAT-1") and "EUR" not in _row(body, "COAT-1")
    italian = client.get("/it" + reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert "1.249,90\xa0€" in _row(italian, "COAT-1")


def _headers(body: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]+)</th>", body.split("<thead>")[1].split("</thead>")[0])


def test_search_results_name_this_store_in_their_column(client, associate_milano, coats):
    client.force_login(associate_milano)
    body = client.get(reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert _headers(body) == ["Product", "Price", "At Milano Duomo"]


def test_head_office_on_the_whole_network_sees_no_this_store_column(client, head_office, coats):
    client.force_login(head_office)
    body = client.get(reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert _headers(body) == ["Product", "Price"] and "€1,249.90" in body


def test_the_sku_page_shows_the_picture_and_price(client, associate_milano, coats):
    client.force_login(associate_milano)
    body = client.get(reverse("inventory-detail", args=["COAT-1"])).content.decode()
    assert 'data-testid="product-picture"' in body and 'src="/static/demo/products/coat-nero.svg"' in body
    assert 'data-testid="product-price">€1,249.90<' in body
    plain = client.get(reverse("inventory-detail", args=["COAT-2"])).content.decode()
    assert 'data-testid="product-picture-none"' in plain


def test_pictures_add_no_query(client, associate_milano, coats, django_assert_max_num_queries, settings):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://img.example"]  # the catalogue's image host, allowed by the policy
    for n in range(25):
        ProductFactory(name=f"Cappotto {n}", image_url=f"https://img.example/{n}.jpg")
    client.force_login(associate_milano)
    client.get(reverse("inventory-search"))
    with django_assert_max_num_queries(4):  # user, store, exact match, word match: as without pictures
        body = client.get(reverse("inventory-search"), {"q": "cappotto"}).content.decode()
    assert body.count('data-testid="thumb"') == 26
    with django_assert_max_num_queries(4):  # user, store, product, availability: as without pictures
        client.get(reverse("inventory-detail", args=["COAT-1"]))
