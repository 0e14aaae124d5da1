"""Named places and people shared by every test, so permission tests read like sentences."""

from __future__ import annotations

import pytest

from inventory.factories import LocationFactory, WarehouseFactory
from omniportal.factories import staff
from omniportal.models import Role

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _no_request_id_left_over():
    """Test clients that never close a response (schemathesis' WSGI client) leave its request id set in this
    thread; a server always closes them. Each test starts outside any request."""
    from omniportal.request_id import forget_request

    forget_request()
    yield
    forget_request()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /it/… leaves Italian active in this thread; each test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def store_milano(db):
    return LocationFactory(
        code="MI01", name="Milano Duomo", city="Milano", postal_code="20121", lat=45.4642, lon=9.1900
    )


@pytest.fixture
def store_roma(db):
    return LocationFactory(code="RM01", name="Roma Corso", city="Roma", postal_code="00186", lat=41.9028, lon=12.4964)


@pytest.fixture
def warehouse_bologna(db):
    return WarehouseFactory(
        code="WH-BO", name="Bologna DC", city="Bologna", postal_code="40121", lat=44.4949, lon=11.3426
    )


@pytest.fixture
def associate_milano(store_milano):
    return staff("anna_milano", Role.ASSOCIATE, store_milano)


@pytest.fixture
def manager_milano(store_milano):
    return staff("marco_milano", Role.MANAGER, store_milano)


@pytest.fixture
def associate_roma(store_roma):
    return staff("giulia_roma", Role.ASSOCIATE, store_roma)


@pytest.fixture
def manager_roma(store_roma):
    return staff("paolo_roma", Role.MANAGER, store_roma)


@pytest.fixture
def head_office(db):
    return staff("helena_hq", Role.HEAD_OFFICE)


@pytest.fixture
def api_token(db):
    """A token with every scope; returns (token, key)."""
    from omniportal.models import TokenScope
    from omniportal.services import integration_token_create

    return integration_token_create(name="test-all-scopes", scopes=TokenScope.values)


@pytest.fixture
def api_client(api_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token[1]}")
    return client
