from __future__ import annotations

import pytest
from django.urls import reverse

from clienteling.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/customers/"


@pytest.fixture
def rossi(db):
    return CustomerFactory(first_name="Mario", last_name="Rossi", loyalty_number="L000123456")


def test_url_name_is_the_shared_contract():
    assert reverse("customer-search") == URL


def test_signed_out_person_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_plain_get_renders_the_whole_page_with_results(client, associate_milano, rossi):
    client.force_login(associate_milano)
    response = client.get(URL, {"q": "ross"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and "Mario Rossi" in body
    assert f"/customers/{rossi.pk}/?via=search" in body


def test_htmx_request_gets_only_the_results_partial(client, associate_milano, rossi, django_assert_max_num_queries):
    client.force_login(associate_milano)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "ross"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="search-results"' in body and "Mario Rossi" in body


def test_empty_query_explains_what_to_type(client, associate_milano):
    client.force_login(associate_milano)
    body = client.get(URL).content.decode()
    assert 'data-testid="search-empty"' in body


def test_no_match_says_what_to_try(client, associate_milano, rossi):
    client.force_login(associate_milano)
    body = client.get(URL, {"q": "zzzzqq"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="search-no-match"' in body and "zzzzqq" in body


def test_scanned_loyalty_number_opens_the_profile(client, associate_milano, rossi):
    client.force_login(associate_milano)
    response = client.get(URL, {"q": "l000123456", "via": "scan"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{rossi.pk}/?via=scan"


def test_scanned_loyalty_number_redirects_htmx_too(client, associate_milano, rossi):
    client.force_login(associate_milano)
    response = client.get(URL, {"q": "L000123456", "via": "scan"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/customers/{rossi.pk}/?via=scan"


def test_unknown_scan_falls_back_to_the_search_results(client, associate_milano, rossi):
    client.force_login(associate_milano)
    response = client.get(URL, {"q": "NOPE99999", "via": "scan"})
    assert response.status_code == 200 and 'data-testid="search-no-match"' in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"q": "x" * 5000}, {"q": "%00"}, {"via": "nonsense", "q": "ros"}, {"q": ["a", "b"]}]
)
def test_malformed_query_strings_never_fail(client, associate_milano, rossi, params):
    client.force_login(associate_milano)
    assert client.get(URL, params).status_code == 200


def test_invalid_utf8_in_the_query_string_never_fails(client, associate_milano):
    client.force_login(associate_milano)
    assert client.get(URL, QUERY_STRING="q=%ED%A0%80%FF&via=%FF").status_code == 200


def test_search_is_in_italian_under_it(client, associate_milano):
    client.force_login(associate_milano)
    body = client.get("/it/customers/").content.decode()
    assert "Trova un cliente" in body
