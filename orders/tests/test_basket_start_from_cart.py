from __future__ import annotations

import pytest
from django.urls import reverse

from clienteling.factories import CartFactory, CartLineFactory, CustomerFactory
from inventory.factories import ProductFactory
from orders.models import Basket, BasketStatus
from orders.services.baskets import basket_start_from_cart
from orders.services.errors import BasketError

pytestmark = pytest.mark.django_db


def test_cart_lines_become_basket_lines(store_milano, associate_milano):
    cart = CartFactory()
    CartLineFactory(cart=cart, quantity=2)
    CartLineFactory(cart=cart, product=None, sku="NOT-IN-CATALOGUE")
    basket = basket_start_from_cart(customer=cart.customer, store=store_milano, actor=associate_milano)
    assert basket.status == BasketStatus.OPEN
    assert basket.from_cart == cart
    assert [(line.product.sku, line.quantity) for line in basket.lines.all()] == [(cart.lines.first().sku, 2)]


def test_starting_twice_reuses_the_open_basket(store_milano, associate_milano):
    line = CartLineFactory(quantity=3)
    first = basket_start_from_cart(customer=line.cart.customer, store=store_milano, actor=associate_milano)
    second = basket_start_from_cart(customer=line.cart.customer, store=store_milano, actor=associate_milano)
    assert first.pk == second.pk
    assert second.lines.get().quantity == 3


def test_customer_without_consent_cannot_start_from_cart(store_milano, associate_milano):
    line = CartLineFactory(cart__customer=CustomerFactory(consent_clienteling=False))
    with pytest.raises(BasketError):
        basket_start_from_cart(customer=line.cart.customer, store=store_milano, actor=associate_milano)
    assert not Basket.objects.exists()


def test_customer_without_cart_is_refused(store_milano, associate_milano):
    with pytest.raises(BasketError):
        basket_start_from_cart(customer=CustomerFactory(), store=store_milano, actor=associate_milano)


def test_post_redirects_to_checkout(client, store_milano, associate_milano):
    line = CartLineFactory(product=ProductFactory(name="Trench coat"))
    client.force_login(associate_milano)
    response = client.post(reverse("basket-from-cart", args=[line.cart.customer.pk]))
    assert response.status_code == 302
    assert response.url == f"{reverse('order-new')}?customer={line.cart.customer.pk}"
    page = client.get(response.url)
    assert "Trench coat" in page.content.decode()


def test_get_is_not_allowed(client, store_milano, associate_milano):
    line = CartLineFactory()
    client.force_login(associate_milano)
    assert client.get(reverse("basket-from-cart", args=[line.cart.customer.pk])).status_code == 405


def test_post_without_cart_returns_to_profile_with_message(client, store_milano, associate_milano):
    customer = CustomerFactory()
    client.force_login(associate_milano)
    response = client.post(reverse("basket-from-cart", args=[customer.pk]))
    assert response.status_code == 302
    assert response.url == reverse("customer-detail", args=[customer.pk])


@pytest.mark.parametrize("consent", [True, False])
def test_any_customer_profile_offers_a_new_order_and_it_opens_the_checkout(
    client, store_milano, associate_milano, consent
):
    # No online cart and, in one case, no clienteling consent: a walk-in can still buy from the network.
    customer = CustomerFactory(consent_clienteling=consent)
    client.force_login(associate_milano)
    body = client.get(f"/customers/{customer.pk}/").content.decode()
    link = f'href="/orders/new/?customer={customer.pk}" data-testid="new-order"'
    assert link in body
    response = client.get(f"/orders/new/?customer={customer.pk}")
    assert response.status_code == 200 and 'data-testid="add-products"' in response.content.decode()
    # The checkout remembers the customer, so the inventory page offers "Add to …'s basket".
    product = ProductFactory()
    assert 'data-testid="add-to-basket"' in client.get(f"/inventory/{product.sku}/").content.decode()
