"""PostgreSQL text cannot hold NUL: the API refuses it with a 400 before anything is written."""

from __future__ import annotations

import pytest

from clienteling.models import BrowsingEvent, Cart

pytestmark = pytest.mark.django_db

EVENT = (
    '{"events": [{"event_id": "0b6a1c44-1d2e-4c1b-9a7e-3f8f1f0c2a11", "type": "search", '
    '"occurred_at": "2026-11-20T10:00:00+01:00", "session_id": "s-1", "channel": "web", "query": "%s"}]}'
)


def test_an_event_with_a_nul_character_is_a_400_and_nothing_is_written(api_client):
    response = api_client.post("/api/v1/events/", EVENT % "coat\\u0000", content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]
    assert not BrowsingEvent.objects.exists()


def test_a_backslash_followed_by_u0000_as_plain_text_is_accepted(api_client):
    response = api_client.post("/api/v1/events/", EVENT % "c:\\\\u0000", content_type="application/json")
    assert response.status_code == 200, response.content
    assert BrowsingEvent.objects.get().query == "c:\\u0000"


def test_a_cart_snapshot_with_a_nul_character_is_a_400(api_client):
    body = (
        '{"status": "active", "updated_at": "2026-11-20T10:00:00+01:00", "currency": "EUR", '
        '"session_id": "s\\u0000", "lines": []}'
    )
    response = api_client.put("/api/v1/carts/c-1/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Cart.objects.exists()


@pytest.mark.parametrize(
    "occurred_at",
    [
        "2959-01-02T13:50:27.1+00:00",
        "1903-10-02T19:14:11-01:00",
        "2026-11-20T10:00:00-17:35",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_a_timestamp_the_business_cannot_mean_is_a_400_naming_the_field(api_client, occurred_at):
    body = EVENT.replace("2026-11-20T10:00:00+01:00", occurred_at) % "coat"
    response = api_client.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "occurred_at",
            "message": "Timestamp out of range: the offset must be within ±14:00 and the year within 2000–2100.",
        }
    ]
    assert not BrowsingEvent.objects.exists()


def test_the_bad_timestamp_of_the_second_item_is_named_with_its_index(api_client):
    good = EVENT % "coat"
    bad = good.replace("2026-11-20T10:00:00+01:00", "2026-11-20T10:00:00+15:00").replace("0b6a1c44", "1b6a1c44")
    body = '{"events": [' + good[12:-2] + "," + bad[12:-2] + "]}"
    response = api_client.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
