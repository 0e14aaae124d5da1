"""One schema per payload (issue 14): what /api/schema/ publishes is generated from the types that validate the
requests and build the responses, so what the API documents cannot drift from what it does again."""

from __future__ import annotations

import msgspec
import pytest
from django.urls import get_resolver
from rest_framework import serializers

from omniportal import api_views
from omniportal.api_batch import MalformedBody, batch_type
from orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

# Serializers the API keeps, each because it validates or renders something; anything else would only document.
VALIDATING_SERIALIZERS = {
    "orders.api_commissions.CommissionQuery": "validates the query string of GET /api/v1/commissions/",
}
PROJECT_APPS = ("omniportal", "inventory", "clienteling", "orders")


@pytest.fixture
def published(client):
    return client.get("/api/schema/", {"format": "json"}).json()


@pytest.fixture
def decoded_with(monkeypatch):
    """The type each write decodes its body with, recorded as the body reaches it (and then refused)."""
    seen: list[type] = []

    def batch(body: bytes, key: str, item_type: type, *, max_items: int) -> list:
        seen.append(batch_type(key, item_type, max_items))
        raise MalformedBody("recorded")

    def single(body: bytes, item_type: type) -> object:
        seen.append(item_type)
        raise MalformedBody("recorded")

    monkeypatch.setattr(api_views, "decode_batch", batch)
    monkeypatch.setattr(api_views, "decode_object", single)
    return seen


def _writes(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put")
    ]


def test_every_write_publishes_exactly_the_schema_of_the_struct_that_validates_it(api_client, published, decoded_with):
    OrderFactory(external_id="WEB-1")
    writes = _writes(published)
    assert len(writes) == 10
    for method, path, operation in writes:
        url = path.replace("{cart_id}", "K-1").replace("{external_id}", "WEB-1")
        assert api_client.generic(method, url, b"{}", content_type="application/json").status_code == 400
        body_type = decoded_with.pop()
        (expected,), components = msgspec.json.schema_components([body_type], ref_template=api_views.COMPONENT_REF)
        request_body = operation["requestBody"]
        assert request_body["required"] is True
        assert request_body["content"] == {"application/json": request_body["content"]["application/json"]}
        assert request_body["content"]["application/json"]["schema"] == expected, (method, path)
        for name, component in components.items():
            assert published["components"]["schemas"][name] == component, (method, path, name)


def test_every_documented_example_is_accepted_by_the_struct_that_validates_it(api_client, published, decoded_with):
    OrderFactory(external_id="WEB-1")
    for method, path, operation in _writes(published):
        url = path.replace("{cart_id}", "K-1").replace("{external_id}", "WEB-1")
        api_client.generic(method, url, b"{}", content_type="application/json")
        body_type = decoded_with.pop()
        examples = operation["requestBody"]["content"]["application/json"]["examples"]
        assert examples, (method, path)
        for example in examples.values():
            msgspec.json.decode(msgspec.json.encode(example["value"]), type=body_type)


def test_every_published_body_comes_from_a_struct_not_from_a_serializer(published, settings):
    batches = {
        batch_type(key, item_type, settings.API_MAX_BATCH_ITEMS).__name__ for key, item_type in api_views.batches
    }
    published_components = published["components"]["schemas"]
    assert set(published_components) == set(api_views.components) | batches
    assert {name: published_components[name] for name in api_views.components} == api_views.components


def test_a_batch_publishes_the_size_limit_it_is_held_to(client, settings):
    settings.API_MAX_BATCH_ITEMS = 3
    published = client.get("/api/schema/", {"format": "json"}).json()
    assert published["components"]["schemas"]["ProductInBatch"]["properties"]["products"]["maxItems"] == 3


def test_no_serializer_is_left_that_only_documents_a_payload(published):
    assert get_resolver().url_patterns  # every view module imported, with whatever serializers it declares

    def subclasses(cls: type) -> set[type]:
        return {cls, *(found for sub in cls.__subclasses__() for found in subclasses(sub))}

    declared = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in subclasses(serializers.BaseSerializer)
        if cls.__module__.split(".")[0] in PROJECT_APPS
    }
    assert declared == set(VALIDATING_SERIALIZERS)
