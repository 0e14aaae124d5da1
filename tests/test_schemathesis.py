"""Property-based API test: schemathesis generates requests from /api/schema/ and calls the real WSGI app.

Every operation of the published schema is exercised (valid and invalid bodies, query strings, headers):
no response may be a 5xx, and every response must conform to the schema (status code, content type, body).
Bounded by `max_examples` so it stays well under three minutes.

`positive_data_acceptance` is left out on purpose: SPEC section 3 refuses schema-valid requests by design
(a stock row for an unknown SKU, a currency that is not ISO-4217, lat without lon), which OpenAPI cannot
express. Everything else runs: not_a_server_error, status code / content type / body / header conformance,
negative_data_rejection for write bodies (schema-invalid input must be a 4xx; reads ignore unknown query parameters).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from omniportal.wsgi import application

# Every operation of the integration API.
OPERATIONS = r"^/api/v1/"
CONFIG = SchemathesisConfig.from_dict(
    {
        # More than maxItems items is a 413 (SPEC section 3), the one refusal that is not a 400.
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
            }
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG).include(path_regex=OPERATIONS)


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
def integration_key(db, store_milano):
    from omniportal.models import TokenScope
    from omniportal.services import integration_token_create

    return integration_token_create(name="schemathesis", scopes=TokenScope.values)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_5xx_and_conforms_to_its_schema(case, integration_key, keep_connection_open):
    excluded = [positive_data_acceptance]
    if case.method == "GET":
        # Reads ignore query parameters they do not know, as HTTP APIs do; schemathesis counts an extra
        # parameter as "negative data". Write bodies keep the check.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Token {integration_key}"}, excluded_checks=excluded)
