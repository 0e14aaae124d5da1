from __future__ import annotations

import pytest

from clienteling.factories import CustomerFactory
from clienteling.models import Visit

URL = "/api/v1/visits/"


@pytest.mark.django_db
def test_a_loyalty_scan_finds_the_customer(api_client, store_milano):
    giulia = CustomerFactory(external_id="C-1001", loyalty_number="L-778899")

    response = api_client.post(
        URL,
        {
            "visits": [
                {
                    "store": "MI01",
                    "seen_at": "2026-11-23T10:05:00+01:00",
                    "source": "loyalty_scan",
                    "loyalty_number": "L-778899",
                }
            ]
        },
        format="json",
    )

    assert response.json() == {"created": 1, "updated": 0, "ignored": 0}
    assert Visit.objects.get().customer == giulia


@pytest.mark.django_db
def test_a_visit_at_a_warehouse_or_unknown_store_is_refused(api_client, warehouse_bologna):
    visits = [
        {"store": "WH-BO", "seen_at": "2026-11-23T10:05:00+01:00", "source": "wifi"},
        {"store": "XX", "seen_at": "2026-11-23T10:05:00+01:00", "source": "wifi"},
    ]

    response = api_client.post(URL, {"visits": visits}, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "store"), (1, "store")]
    assert not Visit.objects.exists()
