from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from .models import Location, LocationKind, Role
from .services import staff_user_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")


def staff(username: str, role: Role, *stores, password: str = "correct-horse-battery", pin: str | None = "1234"):
    """A signed-up person with a role and stores (Location objects)."""
    return staff_user_create(
        username=username,
        role=role,
        store_codes=[store.code for store in stores],
        password=password,
        pin=pin,
        first_name=username.split("_")[0].title(),
        last_name="Test",
    )


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Store {o.code}")
    kind = LocationKind.STORE
    address_line1 = "Via Roma 1"
    city = "Milano"
    postal_code = "20121"
    country = "IT"
    lat = 45.4642
    lon = 9.1900
    ships_to_home = True
    offers_pickup = True
    commission_eligible = True
    active = True


class WarehouseFactory(LocationFactory):
    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    kind = LocationKind.WAREHOUSE
    offers_pickup = False
    commission_eligible = False
