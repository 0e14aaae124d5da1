"""Bad input never hurts: every malformed request gets a 4xx in the one error shape, and writes nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.cache import cache

from clienteling.models import BrowsingEvent
from omniportal.api_auth import PerTokenThrottle

URL = "/api/v1/events/"


def event(**overrides):
    return {
        "event_id": str(uuid.uuid4()),
        "type": "product_view",
        "occurred_at": "2026-11-23T09:12:00+01:00",
        "session_id": "s-1",
        "channel": "web",
        **overrides,
    }


def post_raw(api_client, body: bytes, url: str = URL, **extra):
    return api_client.generic("POST", url, body, content_type="application/json", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"NaN", b"\xff\xfe\x00", b'{"events": [', b"{'events': []}", b'{"events": [1e999]}'],
)
def test_malformed_json_is_400(api_client, body):
    response = post_raw(api_client, body)

    assert response.status_code == 400
    assert set(response.json()["errors"][0]) == {"index", "field", "message"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [[], None, 3, "events", {"events": None}, {"events": {}}, {"events": [None]}, {"events": [[]]}, {}],
)
def test_bodies_of_the_wrong_shape_are_400(api_client, payload):
    response = post_raw(api_client, json.dumps(payload).encode())

    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.django_db
def test_huge_numbers_are_400_not_a_database_error(api_client, store_milano):
    response = post_raw(
        api_client,
        b'{"levels": [{"location": "MI01", "sku": "A", "on_hand": 99999999999999999999999, "as_of": "2026-01-01T00:00:00Z"}]}',
        url="/api/v1/stock/",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on_hand"


@pytest.mark.django_db
def test_more_than_5000_items_is_413(api_client):
    response = api_client.post(URL, {"events": [event() for _ in range(5001)]}, format="json")

    assert response.status_code == 413
    assert not BrowsingEvent.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1000

    response = api_client.post(URL, {"events": [event() for _ in range(10)]}, format="json")

    assert response.status_code == 413


@pytest.mark.django_db
def test_an_over_long_string_is_400_not_a_database_error(api_client):
    response = api_client.post(URL, {"events": [event(session_id="x" * 101)]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "session_id"


@pytest.mark.django_db
def test_a_throttled_token_gets_429(api_client, monkeypatch):
    cache.clear()
    monkeypatch.setattr(PerTokenThrottle, "rate", "2/min", raising=False)

    statuses = [api_client.get("/api/v1/stores/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_a_malformed_authorization_header_is_401(client):
    response = client.get("/api/v1/stores/", HTTP_AUTHORIZATION="Token a b")

    assert response.status_code == 401
