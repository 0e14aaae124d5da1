from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from .models import DeliveryMethod, LocationSource, Order, OrderChannel, OrderLine, Sale, SaleLine


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"OP-{n:07d}")
    external_id = factory.Sequence(lambda n: f"WEB-{n:07d}")
    channel = OrderChannel.WEB
    customer = factory.SubFactory("clienteling.factories.CustomerFactory")
    customer_external_id = factory.LazyAttribute(lambda o: o.customer.external_id if o.customer else "")
    placed_at = factory.LazyFunction(timezone.now)
    currency = "EUR"
    delivery_method = DeliveryMethod.HOME
    delivery_line1 = "Via Dante 5"
    delivery_city = "Milano"
    delivery_postal_code = "20121"
    delivery_country = "IT"
    delivery_lat = 45.466
    delivery_lon = 9.186
    location_source = LocationSource.GIVEN


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory("inventory.factories.ProductFactory")
    sku = factory.LazyAttribute(lambda o: o.product.sku)
    quantity = 1
    unit_price = Decimal("49.90")
    discount = Decimal("0")


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    external_id = factory.Sequence(lambda n: f"POS-{n:07d}")
    store = factory.SubFactory("omniportal.factories.LocationFactory")
    sold_at = factory.LazyFunction(timezone.now)
    currency = "EUR"
    customer = factory.SubFactory("clienteling.factories.CustomerFactory")


class SaleLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SaleLine

    sale = factory.SubFactory(SaleFactory)
    product = factory.SubFactory("inventory.factories.ProductFactory")
    sku = factory.LazyAttribute(lambda o: o.product.sku)
    quantity = 1
    unit_price = Decimal("49.90")
