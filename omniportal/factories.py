from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from .models import Role
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
