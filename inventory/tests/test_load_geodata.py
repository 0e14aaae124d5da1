from __future__ import annotations

import io
from io import StringIO

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


def test_if_empty_leaves_a_loaded_table_alone(db):

    City.objects.create(geoname_id=1, country="IT", name="Testopoli", name_key="testopoli", lat=45.0, lon=9.0)
    out = StringIO()
    call_command("load_geodata", "--if-empty", "--countries", "IT", stdout=out, stderr=StringIO())
    assert out.getvalue() == ""
    assert City.objects.count() == 1
