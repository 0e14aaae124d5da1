from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from omniportal.factories import LocationFactory
from omniportal.text import fold

from .models import Category, Product, StockLevel


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("49.90")
    currency = "EUR"
    barcode = factory.Sequence(lambda n: f"80{n:011d}")
    brand = "Omni"
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.sku} {o.name} {o.brand}"))


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    location = factory.SubFactory(LocationFactory)
    product = factory.SubFactory(ProductFactory)
    on_hand = 10
    reserved = 0
    safety_stock = 0
    as_of = factory.LazyFunction(timezone.now)
