from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_an_api_query_string_is_a_400_in_the_api_error_shape(api_client):
    response = api_client.get("/api/v1/products/?sku=ab%00cd")
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]


def test_a_nul_in_a_page_query_string_is_a_400(client, associate_milano):
    client.force_login(associate_milano)
    response = client.get("/customers/?q=ros%00si")
    assert response.status_code == 400


def test_an_ordinary_query_string_passes(client, associate_milano):
    client.force_login(associate_milano)
    assert client.get("/customers/?q=rossi%2000").status_code == 200
