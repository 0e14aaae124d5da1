"""Integration API v1: customers, browsing events, cart snapshots and store visits."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from omniportal.api_views import WRITE_ERRORS, CountsSerializer, IntegrationView, error_responses

from .ingest import CartIn, CustomerIn, EventIn, VisitIn, cart_replace, customers_upsert, events_append, visits_record
from .models import CartStatus, Channel, EventType, VisitSource

# -- documentation serializers (runtime validation: the msgspec structs in clienteling.ingest) ---------------
# EventInSerializer is also the DRF side of the DRF-vs-msgspec measurement in bench/bench_api.py.


class CustomerAddressSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200, allow_blank=True)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, allow_blank=True)
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO-3166 alpha-2.")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)


class ConsentSerializer(serializers.Serializer):
    clienteling = serializers.BooleanField()
    marketing = serializers.BooleanField()


class CustomerInSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    first_name = serializers.CharField(max_length=100, allow_blank=True)
    last_name = serializers.CharField(max_length=100, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Any format; stored E.164."
    )
    loyalty_number = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    address = CustomerAddressSerializer(required=False, allow_null=True)
    consent = ConsentSerializer()
    updated_at = serializers.DateTimeField(help_text="ISO-8601 with offset; an older snapshot is ignored.")


class CustomerBatchSerializer(serializers.Serializer):
    customers = CustomerInSerializer(many=True, max_length=5000)


class EventInSerializer(serializers.Serializer):
    event_id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=EventType.choices)
    occurred_at = serializers.DateTimeField()
    session_id = serializers.CharField(max_length=100)
    customer_external_id = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    sku = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    query = serializers.CharField(max_length=200, required=False, allow_null=True, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    device = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)

    def validate_occurred_at(self, value):
        if value.utcoffset() is None:
            raise serializers.ValidationError("Give the offset.")
        return value


class EventBatchSerializer(serializers.Serializer):
    events = EventInSerializer(many=True, max_length=5000)


class EventCountsSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="event_ids already stored (or repeated in the batch).")


class CartLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=True)


class CartInSerializer(serializers.Serializer):
    customer_external_id = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    session_id = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    status = serializers.ChoiceField(choices=CartStatus.choices)
    updated_at = serializers.DateTimeField()
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO-4217.")
    lines = CartLineSerializer(many=True)


class VisitInSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=32, help_text="Store code.")
    seen_at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=VisitSource.choices)
    customer_external_id = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    loyalty_number = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)


class VisitBatchSerializer(serializers.Serializer):
    visits = VisitInSerializer(many=True, max_length=5000)


# -- views ------------------------------------------------------------------------------------------------------


class CustomersView(IntegrationView):
    scopes = {"POST": "customers"}

    @extend_schema(
        operation_id="customers_upsert",
        summary="Upsert customers by external_id",
        description="A snapshot whose `updated_at` is older than the stored one is ignored (counted in `ignored`).",
        request=CustomerBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        request=EventBatchSerializer,
        responses={200: EventCountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        request=CartInSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        request=VisitBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
