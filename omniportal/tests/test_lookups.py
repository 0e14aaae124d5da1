from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.factories import ProductFactory
from inventory.models import Product


@pytest.mark.django_db
def test_any_finds_what_in_finds_ignoring_none_and_repeats():
    skus = [ProductFactory(sku=f"ANY-{i}").sku for i in range(5)]
    asked = [skus[0], skus[3], None, skus[3], "NOT-THERE"]
    found = set(Product.objects.filter(sku__any=asked).values_list("sku", flat=True))
    assert found == set(Product.objects.filter(sku__in=asked).values_list("sku", flat=True)) == {skus[0], skus[3]}
    assert not Product.objects.filter(sku__any=[]).exists()
    assert not Product.objects.filter(sku__any=[None]).exists()


@pytest.mark.django_db
def test_on_postgresql_thousands_of_keys_travel_as_one_parameter():
    if connection.vendor != "postgresql":
        pytest.skip("the array form is PostgreSQL's; elsewhere __any is __in")
    ProductFactory(sku="ANY-1")
    with CaptureQueriesContext(connection) as queries:
        assert Product.objects.filter(sku__any=[f"ANY-{i}" for i in range(3000)]).count() == 1
    assert "= ANY(" in queries[0]["sql"] and queries[0]["sql"].count("ANY-") == 3000
