from __future__ import annotations

import datetime as dt

import pytest

from omniportal.services import integration_token_create
from orders.commissions.ledger import commission_credit_order, commission_reverse_change
from orders.models import OrderChannel, OrderStatus

from .commission_support import change, default_policy, order_with_lines

pytestmark = pytest.mark.django_db
URL = "/api/v1/commissions/"
SEPTEMBER = dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC)


@pytest.fixture
def ledger(store_milano, store_roma):
    default_policy()
    web = order_with_lines((1, "100.00", "0"), placed_at=SEPTEMBER, delivery_lat=45.466, delivery_lon=9.186)
    aisle = order_with_lines(
        (1, "33.33", "0"),
        placed_at=SEPTEMBER,
        channel=OrderChannel.ENDLESS_AISLE,
        external_id=None,
        selling_store=store_milano,
        delivery_lat=41.8897,
        delivery_lon=12.47,
    )
    for order in (web, aisle):
        commission_credit_order(order_id=order.pk)
    commission_reverse_change(change_id=change(web, OrderStatus.CANCELLED, occurred_at=SEPTEMBER).pk)
    return web, aisle


def test_payroll_reads_a_store_month_with_explanations(api_client, ledger):
    web, aisle = ledger
    response = api_client.get(URL, {"period": "2026-09", "store": "MI01"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    first = body["results"][0]
    assert set(first) == {
        "order", "store", "kind", "amount", "currency", "period", "distance_km",
        "location_source", "policy", "rate", "share", "created_at",
    }  # fmt: skip
    by_order = {(row["order"], row["kind"]): row for row in body["results"]}
    assert by_order[(web.external_id, "credit")]["amount"] == "5.00"
    assert by_order[(web.external_id, "reversal")]["amount"] == "-5.00"
    assisted = by_order[(aisle.number, "credit")]  # endless-aisle orders are named by number
    assert (assisted["amount"], assisted["share"], assisted["rate"]) == ("0.84", "0.5000", "0.0500")
    assert (first["period"], first["currency"], first["policy"], first["location_source"]) == (
        "2026-09", "EUR", "Default", "given"
    )  # fmt: skip
    assert isinstance(first["distance_km"], float)
    dt.datetime.fromisoformat(first["created_at"])


def test_every_store_without_a_store_filter(api_client, ledger):
    body = api_client.get(URL, {"period": "2026-09"}).json()
    assert {row["store"] for row in body["results"]} == {"MI01", "RM01"}


def test_another_month_is_empty(api_client, ledger):
    assert api_client.get(URL, {"period": "2026-10"}).json()["count"] == 0


@pytest.mark.parametrize(
    "query,field",
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "September"}, "period"),
        ({"period": "2026-9"}, "period"),
        ({"store": "NOPE"}, "store"),
        ({"store": "x" * 500}, "store"),
    ],
)
def test_bad_period_or_store_is_a_400_in_the_shared_error_shape(api_client, ledger, query, field):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_pages_are_numbered(api_client, ledger):
    body = api_client.get(URL, {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and "page=2" in body["next"]
    assert api_client.get(URL, {"page": 99}).status_code == 404


def test_no_token_is_401_and_a_token_without_read_is_403(client, ledger):
    assert client.get(URL).status_code == 401
    _token, key = integration_token_create(name="orders-only", scopes=["orders"])
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_the_list_needs_few_queries(api_client, ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert api_client.get(URL, {"period": "2026-09", "store": "MI01"}).status_code == 200
