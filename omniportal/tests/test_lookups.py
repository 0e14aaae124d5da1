from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omniportal.factories import LocationFactory
from omniportal.models import Location


@pytest.mark.django_db
def test_any_finds_what_in_finds_ignoring_none_and_repeats():
    codes = [LocationFactory(code=f"ANY-{i}").code for i in range(5)]
    asked = [codes[0], codes[3], None, codes[3], "NOT-THERE"]
    found = set(Location.objects.filter(code__any=asked).values_list("code", flat=True))
    assert found == set(Location.objects.filter(code__in=asked).values_list("code", flat=True)) == {codes[0], codes[3]}
    assert not Location.objects.filter(code__any=[]).exists()
    assert not Location.objects.filter(code__any=[None]).exists()


@pytest.mark.django_db
def test_on_postgresql_thousands_of_keys_travel_as_one_parameter():
    if connection.vendor != "postgresql":
        pytest.skip("the array form is PostgreSQL's; elsewhere __any is __in")
    LocationFactory(code="ANY-1")
    with CaptureQueriesContext(connection) as queries:
        assert Location.objects.filter(code__any=[f"ANY-{i}" for i in range(3000)]).count() == 1
    assert "= ANY(" in queries[0]["sql"] and queries[0]["sql"].count("ANY-") == 3000
