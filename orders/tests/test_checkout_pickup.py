"""Click and collect from the endless aisle: the checkout places a pickup order through the same services as the
API, plans it to the pickup store, and says in place what is wrong with a post."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import StockLevel
from omniportal.factories import LocationFactory, WarehouseFactory
from orders.models import BasketLine, DeliveryMethod, Order, OrderStatus
from orders.selectors import PlanRequest, fulfilment_plan, pickup_stores, pickups_to_prepare
from orders.services.baskets import basket_add, basket_checkout, basket_open, basket_plan
from orders.services.errors import BasketError, OrderError
from orders.services.placing import DeliveryAddress

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory(
        first_name="Lucia",
        last_name="Bianchi",
        address_line1="Via Po 1",
        city="Torino",
        postal_code="10121",
        country="IT",
        lat=45.07,
        lon=7.69,
    )


@pytest.fixture
def store_no_home_delivery(db):
    """A store that hands over pickups but sends nothing to homes."""
    return LocationFactory(
        code="MI02", name="Milano Porta Nuova", lat=45.48, lon=9.19, ships_to_home=False, offers_pickup=True
    )


def _basket(customer, store, actor, *stock):
    """A basket at `store` with one unit of a product for each (location, on hand) in `stock`."""
    basket = basket_open(customer=customer, store=store, actor=actor)
    for location, on_hand in stock:
        product = ProductFactory(price=Decimal("80.00"))
        StockLevelFactory(location=location, product=product, on_hand=on_hand)
        basket_add(basket=basket, product=product)
    return basket


# --- the service ------------------------------------------------------------------------------------------


def test_a_pickup_order_from_the_basket_is_collected_at_the_chosen_store(
    customer, associate_milano, store_milano, store_roma
):
    basket = _basket(customer, store_milano, associate_milano, (store_roma, 3))
    order = basket_checkout(
        basket=basket,
        address=DeliveryAddress.from_customer(customer),
        till_receipt="R-1",
        actor=associate_milano,
        delivery_method=DeliveryMethod.PICKUP,
        pickup_store=store_milano,
    )
    assert (order.delivery_method, order.pickup_store, order.selling_store) == ("pickup", store_milano, store_milano)
    assert (order.delivery_lat, order.delivery_lon) == (store_milano.lat, store_milano.lon)  # located at the store
    assert order.delivery_line1 == "" and order.delivery_name == "Lucia Bianchi"  # no street kept for a pickup
    assert list(order.lines.values_list("source__code", "reserved_quantity")) == [("RM01", 1)]
    assert list(pickups_to_prepare(store=store_milano)) == [order]


def test_a_pickup_takes_the_pickup_stores_own_stock_even_when_it_sends_nothing_home(
    customer, associate_milano, store_milano, store_roma, store_no_home_delivery
):
    basket = _basket(customer, store_milano, associate_milano, (store_no_home_delivery, 2))
    product_id = basket.lines.get().product_id
    StockLevelFactory(location=store_roma, product_id=product_id, on_hand=5)
    home = basket_plan(basket=basket, address=DeliveryAddress.from_customer(customer))
    pickup = basket_plan(
        basket=basket, address=DeliveryAddress.from_customer(customer), pickup_store=store_no_home_delivery
    )
    assert home.lines[0].location == store_roma  # it does not ship to homes
    assert pickup.lines[0].location == store_no_home_delivery  # already where the customer collects


def test_an_override_that_cannot_send_to_this_delivery_is_not_followed(
    store_roma, store_no_home_delivery, warehouse_bologna
):
    product = ProductFactory()
    StockLevelFactory(location=store_no_home_delivery, product=product, on_hand=5)
    StockLevelFactory(location=store_roma, product=product, on_hand=5)
    request = PlanRequest(1, product.pk, product.sku, 1, source_id=store_no_home_delivery.pk)
    plan = fulfilment_plan(requests=[request], origin=(45.07, 7.69))
    assert (plan.lines[0].location, plan.lines[0].overridden) == (store_roma, False)


@pytest.mark.parametrize("pickup", ["none", "warehouse", "no_pickup", "inactive"])
def test_a_pickup_needs_an_active_store_that_offers_pickup(customer, associate_milano, store_milano, pickup):
    stores = {
        "none": None,
        "warehouse": WarehouseFactory(),
        "no_pickup": LocationFactory(code="NP01", offers_pickup=False),
        "inactive": LocationFactory(code="IN01", active=False),
    }
    basket = _basket(customer, store_milano, associate_milano, (store_milano, 2))
    with pytest.raises(OrderError, match="Choose a store that offers pickup."):
        basket_checkout(
            basket=basket,
            address=DeliveryAddress(),
            till_receipt="R-1",
            actor=associate_milano,
            delivery_method=DeliveryMethod.PICKUP,
            pickup_store=stores[pickup],
        )
    assert not Order.objects.exists()
    assert StockLevel.objects.get(location=store_milano).reserved == 0


def test_a_basket_in_two_currencies_is_refused(customer, associate_milano, store_milano):
    basket = _basket(customer, store_milano, associate_milano, (store_milano, 2))
    swiss = ProductFactory(currency="CHF")
    StockLevelFactory(location=store_milano, product=swiss, on_hand=2)
    basket_add(basket=basket, product=swiss)
    with pytest.raises(BasketError, match="CHF, EUR"):
        basket_checkout(
            basket=basket, address=DeliveryAddress.from_customer(customer), till_receipt="R-1", actor=associate_milano
        )
    assert not Order.objects.exists()


# --- the checkout page ------------------------------------------------------------------------------------


def _amounts(body: str, testid: str) -> list[Decimal]:
    return [Decimal(a) for a in re.findall(rf'data-testid="{testid}" data-amount="([0-9.]+)"', body)]


def test_the_checkout_shows_line_totals_their_sum_and_the_amount_to_charge(
    client, customer, associate_milano, store_milano
):
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    for price, quantity in ((Decimal("199.00"), 2), (Decimal("59.00"), 1)):
        product = ProductFactory(price=price)
        StockLevelFactory(location=store_milano, product=product, on_hand=5)
        basket_add(basket=basket, product=product, quantity=quantity)
    client.force_login(associate_milano)
    body = client.get(reverse("order-new"), {"customer": customer.pk}).content.decode()
    assert _amounts(body, "line-total") == [Decimal("398.00"), Decimal("59.00")]
    assert _amounts(body, "order-total") == _amounts(body, "amount-to-charge") == [Decimal("457.00")]
    assert "€457.00" in body
    assert body.index('data-testid="amount-to-charge"') < body.index('name="till_receipt"')  # amount, then receipt
    assert 'data-testid="shipment-estimate"' in body


def test_the_checkout_plans_a_pickup_and_places_it(client, customer, associate_milano, store_milano, store_roma):
    basket = _basket(customer, store_milano, associate_milano, (store_roma, 3))
    client.force_login(associate_milano)
    page = client.get(
        reverse("order-new"), {"customer": customer.pk, "delivery": "pickup", "pickup_store": store_milano.pk}
    )
    assert page.context["delivery"].pickup_store == store_milano
    assert [s.location for s in page.context["shipments"]] == [store_roma]
    assert page.context["can_place"]
    data = {**page.context["delivery_query"], "customer": customer.pk, "till_receipt": "R-5"}
    placed = client.post(reverse("basket-place"), data)
    order = Order.objects.get()
    assert placed.url == reverse("order-detail", args=[order.number])
    assert (order.delivery_method, order.pickup_store, order.status) == ("pickup", store_milano, OrderStatus.PLACED)
    basket.refresh_from_db()
    assert basket.order == order


def test_an_unknown_pickup_store_is_said_on_the_checkout(client, customer, associate_milano, store_milano):
    _basket(customer, store_milano, associate_milano, (store_milano, 3))
    client.force_login(associate_milano)
    page = client.get(reverse("order-new"), {"customer": customer.pk, "delivery": "pickup", "pickup_store": 999999})
    assert page.status_code == 200
    assert 'data-testid="pickup-store-error"' in page.content.decode()
    assert not page.context["can_place"]
    placed = client.post(
        reverse("basket-place"),
        {"customer": customer.pk, "delivery": "pickup", "pickup_store": 999999, "till_receipt": "R-1"},
    )
    assert placed.status_code == 400
    assert "Choose a store that offers pickup." in placed.content.decode()
    assert not Order.objects.exists()


def test_changing_a_line_keeps_the_delivery_being_chosen(client, customer, associate_milano, store_milano):
    basket = _basket(customer, store_milano, associate_milano, (store_milano, 3))
    line = basket.lines.get()
    client.force_login(associate_milano)
    response = client.post(
        reverse("basket-line"),
        {
            "customer": customer.pk,
            "line": line.pk,
            "quantity": 2,
            "delivery": "pickup",
            "pickup_store": store_milano.pk,
        },
    )
    assert "delivery=pickup" in response.url and f"pickup_store={store_milano.pk}" in response.url
    assert BasketLine.objects.get(pk=line.pk).quantity == 2


# --- unknown objects in form posts: a message where the person can go on, never a bare 404 ----------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_adding_an_sku_that_is_gone_says_so_on_the_product_search(client, customer, associate_milano):
    client.force_login(associate_milano)
    response = client.post(reverse("basket-add"), {"customer": customer.pk, "sku": "GONE-1"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"{reverse('inventory-search')}?q=GONE-1"
    assert "GONE-1 is not in the catalogue any more." in _messages(response)


def test_changing_a_line_of_a_basket_that_is_gone_says_so_on_the_checkout(client, customer, associate_milano):
    client.force_login(associate_milano)
    response = client.post(reverse("basket-line"), {"customer": customer.pk, "line": 1, "quantity": 2}, follow=True)
    assert response.status_code == 200
    assert "This basket is no longer open." in _messages(response)


def test_a_line_that_is_gone_says_so_on_the_checkout(client, customer, associate_milano, store_milano):
    _basket(customer, store_milano, associate_milano, (store_milano, 3))
    client.force_login(associate_milano)
    response = client.post(
        reverse("basket-line"), {"customer": customer.pk, "line": 999999, "quantity": 2}, follow=True
    )
    assert response.status_code == 200
    assert "This line is no longer in the basket." in _messages(response)


def test_an_unknown_source_says_so_on_the_checkout(client, customer, associate_milano, store_milano):
    basket = _basket(customer, store_milano, associate_milano, (store_milano, 3))
    client.force_login(associate_milano)
    response = client.post(
        reverse("basket-line"), {"customer": customer.pk, "line": basket.lines.get().pk, "source": 999999}, follow=True
    )
    assert response.status_code == 200
    assert "That location cannot send this line; choose another." in _messages(response)


def test_a_customer_who_is_gone_is_said_on_the_customer_search(client, associate_milano):
    client.force_login(associate_milano)
    for url, data in (
        (reverse("basket-add"), {"customer": 999999, "sku": "X"}),
        (reverse("basket-line"), {"customer": 999999, "line": 1}),
        (reverse("basket-place"), {"customer": 999999, "till_receipt": "R"}),
        (reverse("basket-from-cart", args=[999999]), {}),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert "This customer is no longer in the portal." in _messages(response)


def test_a_pickup_takes_from_the_pickup_stores_shelf_what_it_holds_and_plans_the_rest(store_milano, warehouse_bologna):
    shirt, shoes = ProductFactory(), ProductFactory()
    StockLevelFactory(location=store_milano, product=shirt, on_hand=5)
    for product in (shirt, shoes):  # one warehouse could send both: fewer parcels, but the shirt is here
        StockLevelFactory(location=warehouse_bologna, product=product, on_hand=5)
    requests = [PlanRequest(1, shirt.pk, shirt.sku, 1), PlanRequest(2, shoes.pk, shoes.sku, 1)]
    plan = fulfilment_plan(requests=requests, origin=(store_milano.lat, store_milano.lon), pickup_store=store_milano)
    assert [line.location for line in plan.lines] == [store_milano, warehouse_bologna]
    assert not plan.lines[0].overridden


def test_head_office_on_the_whole_network_chooses_a_store_before_the_checkout(client, customer, head_office):
    client.force_login(head_office)
    response = client.get(reverse("order-new"), {"customer": customer.pk})
    assert response.status_code == 302 and response.url.startswith(reverse("choose-store"))
    added = client.post(reverse("basket-add"), {"customer": customer.pk, "sku": ProductFactory().sku}, follow=True)
    assert added.redirect_chain[0][0].startswith(reverse("choose-store"))
    assert "Choose the store to work for." in _messages(added)


def test_the_checkout_offers_this_store_and_the_nearest_pickup_stores_not_the_whole_network(store_milano):
    far = [LocationFactory(code=f"FAR{i:02d}", name=f"Far {i:02d}", lat=60.0 + i / 10, lon=20.0) for i in range(20)]
    near = [LocationFactory(code=f"NEAR{i}", name=f"Near {i}", lat=45.40 + i / 100, lon=9.10) for i in range(3)]
    LocationFactory(code="NOPICK", name="No pickup", offers_pickup=False, lat=45.40, lon=9.10)
    home = (45.40, 9.10)

    offered = pickup_stores(first=store_milano, near=home, limit=5)

    assert offered[0] == store_milano  # this store first
    assert offered[1:4] == near  # then the nearest to the customer's home
    assert len(offered) == 6 and "NOPICK" not in {store.code for store in offered}
    chosen = far[-1]  # picked earlier, far down the list: it stays offered
    assert pickup_stores(first=store_milano, near=home, chosen=chosen.pk, limit=5)[-1] == chosen
    assert chosen not in pickup_stores(first=store_milano, near=home, chosen=None, limit=5)
