from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from clienteling.factories import CustomerFactory
from inventory.factories import StockLevelFactory
from orders.services.errors import OrderError
from orders.services.placing import DeliveryAddress, delivery_address_validate

pytestmark = pytest.mark.django_db


def test_inventory_page_in_italian(client, associate_milano, store_milano):
    stock = StockLevelFactory(location=store_milano)
    client.force_login(associate_milano)
    with translation.override("it"):
        url = reverse("inventory-detail", args=[stock.product.sku])
    body = client.get(url).content.decode()
    assert url.startswith("/it/")
    assert "Spedisce a casa" in body and "questo negozio" in body


def test_pickup_queue_in_italian(client, associate_milano, store_milano):
    client.force_login(associate_milano)
    with translation.override("it"):
        url = reverse("pickup-queue")
    body = client.get(url).content.decode()
    assert "Da preparare" in body and "Pronti al banco" in body


def test_service_messages_are_translated():
    with translation.override("it"), pytest.raises(OrderError) as invalid:
        delivery_address_validate(DeliveryAddress(line1="Via Po 1", city="Torino", postal_code="10124", country="XX"))
    assert "codice ISO" in str(invalid.value)


def test_new_pages_of_this_round_in_italian(client, associate_milano, manager_milano):
    giulia = CustomerFactory()
    client.force_login(associate_milano)
    assert "Niente da spedire da questo negozio." in client.get("/it/shipments/").content.decode()
    assert "Ripeti il nuovo PIN" in client.get("/it/accounts/pin/").content.decode()
    assert "Nuovo ordine" in client.get(f"/it/customers/{giulia.pk}/").content.decode()
    client.force_login(manager_milano)
    assert "Rimuovi filtri" in client.get("/it/customers/access-log/", {"person": "x"}).content.decode()
