from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from inventory.models import City

pytestmark = pytest.mark.django_db


def test_loads_a_country_and_reruns_without_duplicates():
    call_command("load_geodata", countries="LU", stdout=io.StringIO(), stderr=io.StringIO())
    count = City.objects.filter(country="LU").count()
    assert count > 5
    call_command("load_geodata", countries="LU", stdout=io.StringIO(), stderr=io.StringIO())
    assert City.objects.count() == count
    assert City.objects.filter(name_key="luxembourg").exists()


def test_unknown_country_is_refused():
    with pytest.raises(CommandError):
        call_command("load_geodata", countries="XX", stdout=io.StringIO(), stderr=io.StringIO())
