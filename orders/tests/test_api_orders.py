from __future__ import annotations

import json

import pytest

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import PostalCode
from omniportal.services import integration_token_create
from orders.factories import OrderFactory
from orders.models import Order, OrderStatus
from orders.services.baskets import basket_add, basket_checkout, basket_open
from orders.services.placing import DeliveryAddress

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def _body(**changes):
    body = {
        "external_id": "WEB-1",
        "channel": "web",
        "customer_external_id": "C-1",
        "placed_at": "2026-11-23T10:15:00+01:00",
        "currency": "EUR",
        "lines": [{"sku": "COAT-1", "quantity": 2, "unit_price": "99.00", "source": "WH-BO"}],
        "delivery": {
            "method": "home",
            "address": {"line1": "Via Dante 5", "city": "Milano", "postal_code": "20121", "country": "IT"},
        },
    }
    body.update(changes)
    return body


@pytest.fixture
def coat_in_bologna(warehouse_bologna):
    CustomerFactory(external_id="C-1")
    PostalCode.objects.create(country="IT", postal_code="20121", place_name="Milano", lat=45.47, lon=9.19)
    return StockLevelFactory(location=warehouse_bologna, product=ProductFactory(sku="COAT-1"), on_hand=3)


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_reserves_and_locates_by_postal_code(api_client, coat_in_bologna):
    response = _post(api_client, URL, _body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["external_id"], data["status"], data["channel"]) == ("WEB-1", "placed", "web")
    assert data["delivery"] == {
        "method": "home",
        "pickup_store": None,
        "location": {"lat": 45.47, "lon": 9.19, "source": "postal_code"},
    }
    assert data["lines"][0]["source"] == "WH-BO"
    assert isinstance(data["commissions"], list)
    coat_in_bologna.refresh_from_db()
    assert coat_in_bologna.reserved == 2


def test_same_external_id_again_is_200_and_changes_nothing(api_client, coat_in_bologna):
    assert _post(api_client, URL, _body()).status_code == 201
    again = _post(
        api_client, URL, _body(lines=[{"sku": "COAT-1", "quantity": 1, "unit_price": "1.00", "source": "WH-BO"}])
    )
    assert again.status_code == 200
    assert again.json()["lines"][0]["quantity"] == 2
    coat_in_bologna.refresh_from_db()
    assert coat_in_bologna.reserved == 2
    assert Order.objects.count() == 1


def test_short_stock_is_409_naming_the_line_and_reserves_nothing(api_client, coat_in_bologna, store_milano):
    StockLevelFactory(location=store_milano, product=ProductFactory(sku="HAT-1"), on_hand=5)
    body = _body(
        lines=[
            {"sku": "HAT-1", "quantity": 1, "unit_price": "10.00", "source": "MI01"},
            {"sku": "COAT-1", "quantity": 4, "unit_price": "99.00", "source": "WH-BO"},
        ]
    )
    response = _post(api_client, URL, body)
    assert response.status_code == 409
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["lines[1]"]
    assert "COAT-1" in errors[0]["message"]
    assert not Order.objects.exists()
    assert sum(type(coat_in_bologna).objects.values_list("reserved", flat=True)) == 0


def test_invalid_body_is_400_in_the_one_shape(api_client, coat_in_bologna):
    body = _body(currency="EURO")
    body["lines"][0]["source"] = "NOWHERE"
    response = _post(api_client, URL, body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert _post(api_client, URL, _body(lines=[{"sku": "COAT-1", "quantity": 0, "unit_price": "1"}])).status_code == 400
    assert api_client.post(URL, b"{not json", content_type="application/json").status_code == 400
    assert _post(api_client, URL, [1, 2]).status_code == 400
    assert not Order.objects.exists()


def test_pickup_needs_a_pickup_store(api_client, coat_in_bologna, store_milano):
    bad = _post(api_client, URL, _body(delivery={"method": "pickup", "pickup_store": "WH-BO"}))
    assert bad.status_code == 400
    ok = _post(api_client, URL, _body(delivery={"method": "pickup", "pickup_store": "MI01"}))
    assert ok.status_code == 201
    assert ok.json()["delivery"]["pickup_store"] == "MI01"


def test_unlocated_when_nothing_matches(api_client, coat_in_bologna):
    body = _body(
        delivery={
            "method": "home",
            "address": {"line1": "x", "city": "Atlantis", "postal_code": "000", "country": "IT"},
        }
    )
    assert _post(api_client, URL, body).json()["delivery"]["location"] == {
        "lat": None,
        "lon": None,
        "source": "unlocated",
    }


def test_get_and_404(api_client, coat_in_bologna):
    _post(api_client, URL, _body())
    assert api_client.get(f"{URL}WEB-1/").json()["number"].startswith("OMN-")
    assert api_client.get(f"{URL}NOPE/").status_code == 404


def test_status_moves_and_illegal_move_is_409(api_client, coat_in_bologna):
    _post(api_client, URL, _body())
    status_url = f"{URL}WEB-1/status/"
    illegal = _post(api_client, status_url, {"status": "delivered", "occurred_at": "2026-11-24T09:00:00+01:00"})
    assert illegal.status_code == 409
    shipped = _post(
        api_client,
        status_url,
        {
            "status": "shipped",
            "occurred_at": "2026-11-24T09:00:00+01:00",
            "tracking": {"carrier": "BRT", "number": "9", "url": "https://brt.example/9"},
        },
    )
    assert shipped.status_code == 200
    assert shipped.json()["tracking"]["carrier"] == "BRT"
    _post(api_client, status_url, {"status": "delivered", "occurred_at": "2026-11-25T09:00:00+01:00"})
    partial = _post(
        api_client,
        status_url,
        {"status": "returned", "occurred_at": "2026-11-26T09:00:00+01:00", "lines": [{"sku": "COAT-1", "quantity": 1}]},
    )
    assert partial.json()["status"] == OrderStatus.PARTIALLY_RETURNED
    assert (
        _post(api_client, status_url, {"status": "teleported", "occurred_at": "2026-11-26T09:00:00+01:00"}).status_code
        == 400
    )
    assert (
        _post(
            api_client, f"{URL}NOPE/status/", {"status": "shipped", "occurred_at": "2026-11-26T09:00:00+01:00"}
        ).status_code
        == 404
    )


def test_token_without_orders_scope_is_403(client, coat_in_bologna):
    _token, key = integration_token_create(name="stock-only", scopes=["stock"])
    response = client.post(URL, json.dumps(_body()), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403
    assert client.post(URL, json.dumps(_body()), content_type="application/json").status_code == 401


def test_bad_money_is_400_not_500(api_client, coat_in_bologna):
    for price in ("-1", "1.234", "NaN", "99999999999999"):
        body = _body(lines=[{"sku": "COAT-1", "quantity": 1, "unit_price": price, "source": "WH-BO"}])
        assert _post(api_client, URL, body).status_code == 400, price
    assert not Order.objects.exists()


def test_money_is_a_decimal_string_as_in_every_other_body(api_client, coat_in_bologna):
    for price in (99, 99.5, "1e2", "+1.00", " 1.00", "1.500", "1_000"):
        body = _body(lines=[{"sku": "COAT-1", "quantity": 1, "unit_price": price, "source": "WH-BO"}])
        response = _post(api_client, URL, body)
        assert response.status_code == 400, price
        assert response.json()["errors"][0]["field"] == "lines[0].unit_price"
    assert _post(api_client, URL, _body(shipping_amount=4.9)).json()["errors"][0]["field"] == "shipping_amount"
    assert not Order.objects.exists()


# --- an order named by its number (endless-aisle orders have no external_id) --------------------------------


@pytest.fixture
def endless_aisle_order(store_milano, store_roma, associate_milano):
    customer = CustomerFactory(address_line1="Via Po 1", city="Torino", postal_code="10121", country="IT")
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    stock = StockLevelFactory(location=store_roma, product=ProductFactory(sku="BOOT-9"), on_hand=2)
    basket_add(basket=basket, product=stock.product)
    return basket_checkout(
        basket=basket, address=DeliveryAddress.from_customer(customer), till_receipt="R-1", actor=associate_milano
    )


def test_get_by_number_when_the_order_has_no_external_id(api_client, endless_aisle_order):
    response = api_client.get(f"{URL}{endless_aisle_order.number}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["external_id"], data["number"], data["lines"][0]["source"]) == (
        None,
        endless_aisle_order.number,
        "RM01",
    )


def test_a_warehouse_system_ships_an_endless_aisle_order_by_number(api_client, endless_aisle_order):
    response = _post(
        api_client,
        f"{URL}{endless_aisle_order.number}/status/",
        {
            "status": "shipped",
            "occurred_at": "2026-11-24T09:00:00+01:00",
            "tracking": {"carrier": "BRT", "number": "77", "url": "https://brt.example/77"},
        },
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["tracking"]["number"]) == ("shipped", "77")
    endless_aisle_order.refresh_from_db()
    assert endless_aisle_order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize(
    "reference", ["OMN-99999999", "omn-00000001", "OMN-1%27%20OR%201=1", "%E2%9C%93%F0%9F%93%A6", "x" * 300]
)
def test_an_unknown_reference_is_404_not_500(api_client, endless_aisle_order, reference):
    assert api_client.get(f"{URL}{reference}/").status_code == 404
    moved = _post(api_client, f"{URL}{reference}/status/", {"status": "shipped", "occurred_at": "2026-11-24T09:00:00Z"})
    assert moved.status_code == 404
    endless_aisle_order.refresh_from_db()
    assert endless_aisle_order.status == OrderStatus.PLACED


def test_an_external_id_wins_over_another_orders_number(api_client, endless_aisle_order):
    online = OrderFactory(external_id=endless_aisle_order.number)
    assert api_client.get(f"{URL}{endless_aisle_order.number}/").json()["number"] == online.number
    moved = _post(
        api_client,
        f"{URL}{endless_aisle_order.number}/status/",
        {"status": "cancelled", "occurred_at": "2026-11-24T09:00:00+01:00"},
    )
    assert moved.json()["number"] == online.number
    online.refresh_from_db()
    endless_aisle_order.refresh_from_db()
    assert (online.status, endless_aisle_order.status) == (OrderStatus.CANCELLED, OrderStatus.PLACED)


def test_create_stays_idempotent_by_external_id_when_it_spells_a_number(api_client, coat_in_bologna):
    first = _post(api_client, URL, _body())
    number = first.json()["number"]
    unsourced = [{"sku": "COAT-1", "quantity": 1, "unit_price": "99.00"}]
    created = _post(api_client, URL, _body(external_id=number, lines=unsourced))
    assert created.status_code == 201
    again = _post(api_client, URL, _body(external_id=number, lines=unsourced))
    assert (again.status_code, again.json()["external_id"]) == (200, number)
    assert Order.objects.count() == 2
