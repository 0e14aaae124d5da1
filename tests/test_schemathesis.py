"""Property-based API test: schemathesis generates requests from /api/schema/ and calls the real WSGI app.

Every operation of the published schema is exercised (valid and invalid bodies, query strings, headers):
no response may be a 5xx, and every response must conform to the schema (status code, content type, body).
Write bodies are held to both directions: schema-invalid input must be refused (`negative_data_rejection`)
and schema-valid input accepted (`positive_data_acceptance`), so the schema cannot say more or less than the
API does. Bounded by `max_examples` so it stays well under a minute.

What the schema cannot say is supplied here, and nothing else (docs/api.md, "What the schema says, and what it
cannot"):
- which codes exist: valid bodies of the writes that name a store, location, SKU or order are drawn from the
  catalogue below, which is also what the schema's examples name; a currency or country of the right shape is
  swapped for one of ISO 4217's or ISO 3166's when it is in neither;
- rules across fields that JSON Schema has no arithmetic for: a line's discount within the line, a sale's total
  within 9,999,999,999.99; a phone number valid for its country; a loyalty number held by one customer only;
- an integer is written as one (`2`, not `2.0`, which JSON Schema counts as an integer too);
- an order whose external_id is stored answers 200 with that order whatever the rest of the body says (it is a
  retry), so each order body gets an external_id of its own and is judged on what it holds.
Reads keep `positive_data_acceptance` off: their refusals (lat without lon, an unknown store) live in query
parameters, which OpenAPI cannot tie together.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.hooks import HookContext

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from omniportal.api_batch import MAX_MONEY, countries, currencies
from omniportal.models import TokenScope
from omniportal.services import integration_token_create
from omniportal.wsgi import application
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import DeliveryMethod

# Every operation of the integration API.
OPERATIONS = r"^/api/v1/"
CONFIG = SchemathesisConfig.from_dict(
    {
        # Text holding NUL is refused anywhere in a body (PostgreSQL cannot store it), unknown fields included:
        # a rule about the whole body, not about any one string of the schema (tests/test_api_nul.py).
        "generation": {"allow-x00": False},
        # More than maxItems items is a 413 (SPEC section 3), the one refusal that is not a 400.
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
            }
        },
    }
)
# A batch is held to API_MAX_BATCH_ITEMS, which the schema publishes as maxItems. The coverage phase sends
# batches of limit − 1, limit and limit + 1 items; at 5,000 they cost seconds each for nothing a small limit
# does not show (tests/test_api_errors.py holds the API to the real one).
BATCH_LIMIT = 20
with override_settings(API_MAX_BATCH_ITEMS=BATCH_LIMIT):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG).include(path_regex=OPERATIONS)

# The catalogue valid bodies draw their codes from: the codes the schema's examples use.
STORES = ("MI01", "RM01")
LOCATIONS = (*STORES, "WH-BO")
SKUS = ("JKT-001-M", "JKT-001-L")
ORDERS = ("WEB-100045", "WEB-100046")
PHONES = ("+39 347 123 4567", "+39 02 7200 1234")


@pytest.fixture
def catalogue(store_milano, store_roma, warehouse_bologna):
    products = [ProductFactory(sku=sku) for sku in SKUS]
    for product in products:
        for location in (store_milano, store_roma, warehouse_bologna):
            StockLevelFactory(location=location, product=product, on_hand=50)
    CustomerFactory(external_id="C-1001", loyalty_number="L-778899")
    home = OrderFactory(external_id=ORDERS[0])
    pickup = OrderFactory(external_id=ORDERS[1], delivery_method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    for order in (home, pickup):
        OrderLineFactory(order=order, product=products[0], quantity=2)


def _items(body: object, key: str) -> list[dict]:
    items = body.get(key) if isinstance(body, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _stock(body: dict) -> None:
    for index, level in enumerate(_items(body, "levels")):
        level["location"], level["sku"] = LOCATIONS[index % len(LOCATIONS)], SKUS[index % len(SKUS)]


def _visits(body: dict) -> None:
    for index, visit in enumerate(_items(body, "visits")):
        visit["store"] = STORES[index % len(STORES)]


def _sales(body: dict) -> None:
    for index, sale in enumerate(_items(body, "sales")):
        sale["store"] = STORES[index % len(STORES)]
        lines = _items(sale, "lines")
        if sum(line["quantity"] * Decimal(line["unit_price"]) for line in lines) > MAX_MONEY:
            for line in lines:
                line["unit_price"] = "1.00"


def _customers(body: dict) -> None:
    for index, customer in enumerate(_items(body, "customers")):
        if customer.get("phone"):
            customer["phone"] = PHONES[index % len(PHONES)]
        if customer.get("loyalty_number") is not None:
            # One number per customer, the same one each time the customer comes back.
            customer["loyalty_number"] = "L-" + hashlib.sha256(customer["external_id"].encode()).hexdigest()[:20]


def _order(body: dict) -> None:
    for index, line in enumerate(_items(body, "lines")):
        if line.get("source") is not None:
            line["source"], line["sku"] = LOCATIONS[index % len(LOCATIONS)], SKUS[index % len(SKUS)]
        if Decimal(line.get("discount", "0")) > line["quantity"] * Decimal(line["unit_price"]):
            line["discount"] = line["unit_price"]
    delivery = body["delivery"]
    if delivery["method"] == DeliveryMethod.PICKUP:
        delivery["pickup_store"] = STORES[0]


VALID_BODIES = {
    ("POST", "/api/v1/stock/"): _stock,
    ("POST", "/api/v1/visits/"): _visits,
    ("POST", "/api/v1/sales/"): _sales,
    ("POST", "/api/v1/customers/"): _customers,
    ("POST", "/api/v1/orders/"): _order,
}


CODE_LISTS = {"currency": sorted(currencies()), "country": sorted(countries())}


def _listed_codes_and_integers(value: Any, key: str | None = None) -> Any:
    """`value` with integers written as such and every currency and country code one that ISO lists."""
    if isinstance(value, dict):
        return {name: _listed_codes_and_integers(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_listed_codes_and_integers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    codes = CODE_LISTS.get(key)
    if codes and isinstance(value, str) and value and value not in codes:
        return codes[zlib.crc32(value.encode()) % len(codes)]
    return value


def _order_of_its_own(body: dict) -> None:
    """An order body named after its content, unless the draw made its external_id the invalid part."""
    external_id = body.get("external_id")
    if isinstance(external_id, str) and 0 < len(external_id) <= 64:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        body["external_id"] = f"ORD-{digest[:40]}"


@schema.hook
def map_case(context: HookContext, case: Case) -> Case:
    """A valid request names codes of the catalogue and keeps the rules across fields; invalid ones stay as drawn."""
    if case.meta is None:
        return case
    operation = (case.method.upper(), case.path)
    if "external_id" in (case.path_parameters or {}) and not case.meta.is_negative_at(ParameterLocation.PATH):
        # An order that exists, so that what is judged is the body, not the 404 before it.
        case.path_parameters["external_id"] = ORDERS[len(case.path_parameters["external_id"]) % len(ORDERS)]
    if case.meta.generation.mode.is_positive and isinstance(case.body, dict):
        case.body = _listed_codes_and_integers(case.body)
        valid = VALID_BODIES.get(operation)
        if valid is not None:
            valid(case.body)
    if operation == ("POST", "/api/v1/orders/") and isinstance(case.body, dict):
        _order_of_its_own(case.body)
    return case


@pytest.fixture
def keep_connection_open():
    # A WSGI call starts and ends with close_old_connections, which closes a connection whose autocommit
    # differs from its setting (the test's transaction, on PostgreSQL); Django's test client disconnects both.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def integration_key(db, catalogue, settings):
    settings.API_MAX_BATCH_ITEMS = BATCH_LIMIT
    return integration_token_create(name="schemathesis", scopes=TokenScope.values)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_5xx_and_conforms_to_its_schema(case, integration_key, keep_connection_open):
    excluded = []
    if case.method == "GET":
        # Reads ignore query parameters they do not know, as HTTP APIs do; schemathesis counts an extra
        # parameter as "negative data". Their refusals tie parameters together (see the module docstring).
        excluded += [negative_data_rejection, positive_data_acceptance]
    case.call_and_validate(headers={"Authorization": f"Token {integration_key}"}, excluded_checks=excluded)
