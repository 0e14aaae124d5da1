"""Integration API v1: customers, browsing events, cart snapshots and store visits."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.ingest import Counts
from omniportal.api_views import WRITE_ERRORS, IntegrationView, batch_body, error_responses, request_body, response_body

from .ingest import (
    CartIn,
    CustomerIn,
    EventCounts,
    EventIn,
    VisitIn,
    cart_replace,
    customers_upsert,
    events_append,
    visits_record,
)

# cart_replace refuses an id over 100 characters.
CART_ID = OpenApiParameter(
    "cart_id", {"type": "string", "minLength": 1, "maxLength": 100}, OpenApiParameter.PATH, description="Your cart id."
)


class CustomersView(IntegrationView):
    scopes = {"POST": "customers"}

    @extend_schema(
        operation_id="customers_upsert",
        summary="Upsert customers by external_id",
        description="A snapshot whose `updated_at` is older than the stored one is ignored (counted in `ignored`).",
        request=batch_body("customers", CustomerIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A customer",
                request_only=True,
                value={
                    "customers": [
                        {
                            "external_id": "C-1001",
                            "first_name": "Giulia",
                            "last_name": "Bianchi",
                            "email": "giulia@example.com",
                            "phone": "+39 347 123 4567",
                            "loyalty_number": "L-778899",
                            "address": {
                                "line1": "Via Torino 5",
                                "city": "Milano",
                                "postal_code": "20123",
                                "country": "IT",
                                "lat": 45.4628,
                                "lon": 9.1858,
                            },
                            "consent": {"clienteling": True, "marketing": False},
                            "updated_at": "2026-11-23T09:00:00+01:00",
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "customers", CustomerIn, lambda items: customers_upsert(items=items))
        return Response(counts.as_dict())


class EventsView(IntegrationView):
    scopes = {"POST": "events"}

    @extend_schema(
        operation_id="events_append",
        summary="Append browsing events",
        description=(
            "A repeated `event_id` is ignored and counted in `duplicates`. A `login` event links the session's "
            "earlier anonymous events to the customer. Unknown customers and SKUs are kept and linked later."
        ),
        request=batch_body("events", EventIn),
        responses={200: response_body(EventCounts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A view and a login",
                request_only=True,
                value={
                    "events": [
                        {
                            "event_id": "5b0e8f8e-6c44-4b7e-9d55-0c1f3e0b9a11",
                            "type": "product_view",
                            "occurred_at": "2026-11-23T09:12:00+01:00",
                            "session_id": "s-42",
                            "sku": "JKT-001-M",
                            "channel": "web",
                        },
                        {
                            "event_id": "0f6a1c2e-8d7b-4f43-a1d5-7e2b9c3d4e5f",
                            "type": "login",
                            "occurred_at": "2026-11-23T09:13:00+01:00",
                            "session_id": "s-42",
                            "customer_external_id": "C-1001",
                            "channel": "web",
                        },
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "events", EventIn, lambda items: events_append(items=items))
        return Response(counts.as_dict())


class CartView(IntegrationView):
    scopes = {"PUT": "carts"}

    @extend_schema(
        operation_id="cart_replace",
        summary="Replace an online cart snapshot",
        description="A snapshot whose `updated_at` is older than the stored one is ignored (`ignored: 1`).",
        parameters=[CART_ID],
        request=request_body(CartIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "An active cart",
                request_only=True,
                value={
                    "customer_external_id": "C-1001",
                    "session_id": "s-42",
                    "status": "active",
                    "updated_at": "2026-11-23T09:15:00+01:00",
                    "currency": "EUR",
                    "lines": [{"sku": "JKT-001-M", "quantity": 1, "unit_price": "189.00"}],
                },
            )
        ],
    )
    def put(self, request: Request, cart_id: str) -> Response:
        counts = self.ingest_object(request, CartIn, lambda item: cart_replace(cart_id=cart_id, item=item))
        return Response(counts.as_dict())


class VisitsView(IntegrationView):
    scopes = {"POST": "visits"}

    @extend_schema(
        operation_id="visits_record",
        summary="Who is in the store (Wi-Fi, app check-in, loyalty scan)",
        request=batch_body("visits", VisitIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A loyalty scan",
                request_only=True,
                value={
                    "visits": [
                        {
                            "store": "MI01",
                            "seen_at": "2026-11-23T10:05:00+01:00",
                            "source": "loyalty_scan",
                            "loyalty_number": "L-778899",
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "visits", VisitIn, lambda items: visits_record(items=items))
        return Response(counts.as_dict())
