from __future__ import annotations

import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from omniportal.text import digits, name_key

from .models import (
    BrowsingEvent,
    Cart,
    CartLine,
    CartStatus,
    Customer,
    EventType,
    FollowUpTask,
    Note,
    Visit,
    VisitSource,
)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:07d}")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    email = factory.LazyAttribute(lambda o: f"{o.external_id.lower()}@example.com")
    phone = factory.Sequence(lambda n: f"+39333{n:07d}")
    # "F…", never the "L…" numbers tests give their named customers (giulia is L000000042).
    loyalty_number = factory.Sequence(lambda n: f"F{n:09d}")
    address_line1 = "Via Dante 5"
    city = "Milano"
    postal_code = "20121"
    country = "IT"
    lat = 45.466
    lon = 9.186
    consent_clienteling = True
    consent_marketing = False
    search_name = factory.LazyAttribute(lambda o: name_key(o.first_name, o.last_name))
    phone_digits = factory.LazyAttribute(lambda o: digits(o.phone))
    source_updated_at = factory.LazyFunction(timezone.now)


class BrowsingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrowsingEvent

    event_id = factory.LazyFunction(uuid.uuid4)
    type = EventType.PRODUCT_VIEW
    occurred_at = factory.LazyFunction(timezone.now)
    session_id = factory.Sequence(lambda n: f"sess-{n}")
    customer = factory.SubFactory(CustomerFactory)
    customer_external_id = factory.LazyAttribute(lambda o: o.customer.external_id if o.customer else "")
    channel = "web"
    device = "iPhone"


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    cart_id = factory.Sequence(lambda n: f"cart-{n}")
    customer = factory.SubFactory(CustomerFactory)
    customer_external_id = factory.LazyAttribute(lambda o: o.customer.external_id if o.customer else "")
    status = CartStatus.ACTIVE
    currency = "EUR"
    source_updated_at = factory.LazyFunction(timezone.now)


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory("inventory.factories.ProductFactory")
    sku = factory.LazyAttribute(lambda o: o.product.sku if o.product else "UNKNOWN")
    quantity = 1
    unit_price = Decimal("49.90")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    store = factory.SubFactory("omniportal.factories.LocationFactory")
    customer = factory.SubFactory(CustomerFactory)
    seen_at = factory.LazyFunction(timezone.now)
    source = VisitSource.WIFI


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    customer = factory.SubFactory(CustomerFactory)
    author = factory.SubFactory("omniportal.factories.UserFactory")
    body = "Prefers slim fit; call after 6pm."


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SubFactory("omniportal.factories.LocationFactory")
    title = "Call about the new season"
