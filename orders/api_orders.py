"""Integration API v1: online orders (SPEC section 3), idempotent by external_id. Scope `orders`.

The views decode and check; `order_place` and `order_transition` (the same services the pages use) write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from django.db import IntegrityError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from clienteling.models import Customer
from inventory.models import Product
from omniportal.api_batch import (
    COORDINATES_TOGETHER,
    Checker,
    Currency,
    InvalidItems,
    Latitude,
    Longitude,
    Money,
    PositiveQuantity,
    Timestamp,
    text,
)
from omniportal.api_errors import Conflict, ErrorItem, error
from omniportal.api_views import (
    WRITE_ERRORS,
    DateTimeString,
    DecimalString,
    IntegrationView,
    choice_of,
    error_responses,
    request_body,
    response_body,
)
from omniportal.models import Location, LocationKind

from .api_commissions import CommissionEntryOut, commission_entry_data  # the one shape of a commission entry
from .models import CommissionEntry, DeliveryMethod, LocationSource, Order, OrderChannel, OrderLine, OrderStatus
from .selectors import order_for_integration
from .services.errors import AlreadyInStatus, IllegalTransition, OrderError, OrderShort
from .services.lifecycle import order_transition
from .services.placing import DeliveryAddress, PlacedLine, order_place

# --- request bodies: these structs validate them and are published as their schema --------------------------

MAX_LINES = 500
# Empty, or a code `_check` finds in ISO 3166-1.
CountryOrBlank = Annotated[
    str,
    msgspec.Meta(
        max_length=2,
        description="ISO 3166-1 alpha-2 code, upper case (IT), or empty.",
        extra_json_schema={"pattern": "^([A-Z]{2})?$"},
    ),
]
# `_check` refuses a pickup order without a pickup store (and one that is not a store offering pickup).
PICKUP_NEEDS_STORE = {
    "allOf": [
        {
            "anyOf": [
                {"properties": {"method": {"const": "home"}}},
                {"required": ["pickup_store"], "properties": {"pickup_store": {"type": "string"}}},
            ]
        }
    ]
}


class DeliveryAddressIn(msgspec.Struct):
    line1: text(200, required=False) = ""
    line2: text(200, required=False) = ""
    city: text(100, required=False) = ""
    postal_code: text(20, required=False) = ""
    country: CountryOrBlank = ""
    name: text(200, required=False) = ""
    lat: Latitude | None = None
    lon: Longitude | None = None


class LineIn(msgspec.Struct):
    sku: text(64)
    quantity: PositiveQuantity
    unit_price: Money
    discount: Annotated[
        Money, msgspec.Meta(description="Decimal string, for the whole line: at most quantity × unit_price.")
    ] = "0"
    source: Annotated[
        text(32) | None, msgspec.Meta(description="Location code: the line reserves its stock there.")
    ] = None


class DeliveryIn(msgspec.Struct):
    method: Literal["home", "pickup"]
    address: Annotated[DeliveryAddressIn | None, msgspec.Meta(extra_json_schema=COORDINATES_TOGETHER)] = None
    pickup_store: Annotated[text(32) | None, msgspec.Meta(description="Code of a store that offers pickup.")] = None


class OrderIn(msgspec.Struct):
    external_id: text(64)
    channel: Literal["web", "app"]
    placed_at: Timestamp
    currency: Currency
    lines: Annotated[list[LineIn], msgspec.Meta(extra_json_schema={"minItems": 1, "maxItems": MAX_LINES})]
    delivery: Annotated[DeliveryIn, msgspec.Meta(extra_json_schema=PICKUP_NEEDS_STORE)]
    customer_external_id: text(64, required=False) = ""
    shipping_amount: Money = "0"


class TrackingIn(msgspec.Struct):
    carrier: text(100, required=False) = ""
    number: text(100, required=False) = ""
    url: text(500, required=False) = ""


class StatusLineIn(msgspec.Struct):
    sku: text(64)
    quantity: PositiveQuantity


class StatusIn(msgspec.Struct):
    status: Literal["shipped", "delivered", "cancelled", "returned", "ready", "collected"]
    occurred_at: Timestamp
    lines: Annotated[list[StatusLineIn] | None, msgspec.Meta(description="For a partial return.")] = None
    tracking: TrackingIn | None = None
    reference: text(
        100,
        required=False,
        description="Your id for this move (your return number, say). The same move sent again with the same "
        "reference is applied once and answers 200; use it for partial returns, which are otherwise applied again.",
    ) = ""


# --- response body: built by these structs and published from them -----------------------------------------


class OrderLineOut(msgspec.Struct):
    sku: str
    quantity: int
    unit_price: DecimalString
    discount: DecimalString
    source: Annotated[str | None, msgspec.Meta(description="Location code the line's stock comes from.")]
    reserved_quantity: int
    shipped_quantity: int
    cancelled_quantity: int
    returned_quantity: int


class DeliveryLocationOut(msgspec.Struct):
    lat: float | None
    lon: float | None
    source: Annotated[choice_of(LocationSource), msgspec.Meta(description="How the delivery location was found.")]


class DeliveryOut(msgspec.Struct):
    method: choice_of(DeliveryMethod)
    pickup_store: Annotated[str | None, msgspec.Meta(description="Store code.")]
    location: DeliveryLocationOut


class TrackingOut(msgspec.Struct):
    carrier: str
    number: str
    url: str


class OrderOut(msgspec.Struct):
    external_id: Annotated[str | None, msgspec.Meta(description="null for endless-aisle orders (see `number`).")]
    number: str
    status: choice_of(OrderStatus)
    channel: choice_of(OrderChannel)
    placed_at: DateTimeString
    currency: str
    shipping_amount: DecimalString
    lines: list[OrderLineOut]
    delivery: DeliveryOut
    tracking: TrackingOut
    commissions: list[CommissionEntryOut]


def _orders_for_output():
    return Order.objects.select_related("pickup_store").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("source").order_by("pk")),
        Prefetch(
            "commission_entries",
            queryset=CommissionEntry.objects.select_related("order", "store", "policy").order_by("created_at", "pk"),
        ),
    )


def order_data(order: Order) -> OrderOut:
    return OrderOut(
        external_id=order.external_id,
        number=order.number,
        status=order.status,
        channel=order.channel,
        placed_at=order.placed_at.isoformat(),
        currency=order.currency,
        shipping_amount=format(order.shipping_amount, "f"),
        lines=[
            OrderLineOut(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=format(line.unit_price, "f"),
                discount=format(line.discount, "f"),
                source=line.source.code if line.source else None,
                reserved_quantity=line.reserved_quantity,
                shipped_quantity=line.shipped_quantity,
                cancelled_quantity=line.cancelled_quantity,
                returned_quantity=line.returned_quantity,
            )
            for line in order.lines.all()
        ],
        delivery=DeliveryOut(
            method=order.delivery_method,
            pickup_store=order.pickup_store.code if order.pickup_store else None,
            location=DeliveryLocationOut(lat=order.delivery_lat, lon=order.delivery_lon, source=order.location_source),
        ),
        tracking=TrackingOut(carrier=order.carrier, number=order.tracking_number, url=order.tracking_url),
        commissions=[commission_entry_data(entry) for entry in order.commission_entries.all()],
    )


def _order_response(code: int, **lookup: object) -> Response:
    order = _orders_for_output().get(**lookup)
    return Response(msgspec.to_builtins(order_data(order)), status=code)


def _order_or_404(reference: str, orders: QuerySet[Order] | None = None) -> Order:
    order = order_for_integration(reference=reference, orders=orders)
    if order is None:
        raise Http404
    return order


ORDER_REFERENCE = OpenApiParameter(
    "external_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The order's `external_id`; when no order has that external_id, its portal `number` "
    "(endless-aisle orders, placed in a store, have no external_id). An external_id always wins over a number.",
)


# --- create -------------------------------------------------------------------------------------------------


def _check(item: OrderIn) -> tuple[Customer | None, Location | None, dict[str, Location], dict[str, Product]]:
    checker = Checker()
    checker.currency(None, "currency", item.currency)
    if not item.lines:
        checker.add(None, "lines", "An order needs at least one line.")
    if len(item.lines) > MAX_LINES:
        checker.add(None, "lines", f"At most {MAX_LINES} lines.")
    codes = {line.source for line in item.lines if line.source}
    if item.delivery.pickup_store:
        codes.add(item.delivery.pickup_store)
    locations = {loc.code: loc for loc in Location.objects.filter(code__in=codes)}
    products = {p.sku: p for p in Product.objects.filter(sku__in={line.sku for line in item.lines})}
    for i, line in enumerate(item.lines):
        if not checker.errors and Decimal(line.discount) > line.quantity * Decimal(line.unit_price):
            checker.add(None, f"lines[{i}].discount", "The discount is larger than the line.")
        if line.source:
            if line.source not in locations:
                checker.add(None, f"lines[{i}].source", f"Unknown location '{line.source}'.")
            if line.sku not in products:
                checker.add(None, f"lines[{i}].sku", f"Unknown SKU '{line.sku}': a line with a source needs one.")
    pickup_store = None
    if item.delivery.method == DeliveryMethod.PICKUP:
        pickup_store = locations.get(item.delivery.pickup_store or "")
        if pickup_store is None or pickup_store.kind != LocationKind.STORE:
            checker.add(None, "delivery.pickup_store", "A pickup order needs the code of a store.")
        elif not pickup_store.offers_pickup or not pickup_store.active:
            checker.add(None, "delivery.pickup_store", f"Store '{pickup_store.code}' does not offer pickup.")
    address = item.delivery.address
    if address is not None:
        if address.country:
            checker.country(None, "delivery.address.country", address.country)
        if (address.lat is None) != (address.lon is None):
            checker.add(None, "delivery.address.lat", "Give both lat and lon, or neither.")
    checker.raise_if_any()
    customer = None
    if item.customer_external_id:
        customer = Customer.objects.filter(external_id=item.customer_external_id, erased_at__isnull=True).first()
    return customer, pickup_store, locations, products


def _short_errors(item: OrderIn, locations: dict[str, Location], exc: OrderShort) -> list[ErrorItem]:
    errors = []
    for short in exc.short:
        for i, line in enumerate(item.lines):
            source = locations.get(line.source or "")
            if line.sku == short.label and source is not None and source.pk == short.location_id:
                errors.append(
                    error(
                        f"Not enough stock of {line.sku} at {source.code}: "
                        f"{short.requested} requested, {short.available} available.",
                        field=f"lines[{i}]",
                    )
                )
    return errors or [error(str(exc))]


def order_create(item: OrderIn, *, actor_label: str) -> tuple[str, int]:
    if Order.objects.filter(external_id=item.external_id).exists():
        return item.external_id, status.HTTP_200_OK
    customer, pickup_store, locations, products = _check(item)
    address = item.delivery.address or DeliveryAddressIn()
    try:
        order_place(
            channel=item.channel,
            customer=customer,
            customer_external_id=item.customer_external_id,
            external_id=item.external_id,
            placed_at=item.placed_at,
            currency=item.currency,
            shipping_amount=Decimal(item.shipping_amount),
            delivery_method=item.delivery.method,
            pickup_store=pickup_store,
            actor_label=actor_label,
            address=DeliveryAddress(
                name=address.name,
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                postal_code=address.postal_code,
                country=address.country.upper(),
                lat=address.lat,
                lon=address.lon,
            ),
            lines=[
                PlacedLine(
                    product=products.get(line.sku),
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=Decimal(line.unit_price),
                    discount=Decimal(line.discount),
                    source=locations.get(line.source) if line.source else None,
                )
                for line in item.lines
            ],
        )
    except OrderShort as exc:
        raise Conflict(str(exc), _short_errors(item, locations, exc)) from exc
    except OrderError as exc:
        raise InvalidItems([error(str(exc))]) from exc
    except IntegrityError:
        # The same external_id raced us and won: that order stands, unchanged.
        if Order.objects.filter(external_id=item.external_id).exists():
            return item.external_id, status.HTTP_200_OK
        raise
    return item.external_id, status.HTTP_201_CREATED


def _actor_label(request: Request) -> str:
    token = request.auth
    return f"api:{getattr(token, 'name', 'token')}"[:100]


EXAMPLE = {
    "external_id": "WEB-100045",
    "channel": "web",
    "customer_external_id": "C0001234",
    "placed_at": "2026-11-23T10:15:00+01:00",
    "currency": "EUR",
    "lines": [{"sku": "JKT-001-M", "quantity": 1, "unit_price": "189.00", "source": "WH-BO"}],
    "shipping_amount": "4.90",
    "delivery": {
        "method": "home",
        "address": {"line1": "Via Dante 5", "city": "Milano", "postal_code": "20121", "country": "IT"},
    },
}


class OrdersView(IntegrationView):
    scopes = {"POST": "orders"}

    @extend_schema(
        operation_id="orders_create",
        summary="Create an online order (idempotent by external_id)",
        description="201 with the order; the same external_id again is 200 with the stored order, unchanged. "
        "Lines with `source` reserve that location's stock, all or none: short stock is 409 naming the lines.",
        request=request_body(OrderIn),
        responses={
            201: response_body(OrderOut, "The order, created."),
            200: response_body(OrderOut, "The order stored before under this external_id, unchanged."),
            **error_responses(*WRITE_ERRORS),
        },
        examples=[OpenApiExample("Home delivery from a warehouse", request_only=True, value=EXAMPLE)],
    )
    def post(self, request: Request) -> Response:
        external_id, code = self.ingest_object(
            request, OrderIn, lambda item: order_create(item, actor_label=_actor_label(request))
        )
        return _order_response(code, external_id=external_id)


class OrderDetailView(IntegrationView):
    scopes = {"GET": "orders"}

    @extend_schema(
        operation_id="orders_read",
        summary="One order: status, lines, delivery location and how it was found, commission entries",
        description="The order is named by its external_id, or by its number when no order has that external_id.",
        parameters=[ORDER_REFERENCE],
        responses={200: response_body(OrderOut), **error_responses(401, 403, 404, 429)},
    )
    def get(self, request: Request, external_id: str) -> Response:
        return Response(msgspec.to_builtins(order_data(_order_or_404(external_id, _orders_for_output()))))


class OrderStatusView(IntegrationView):
    scopes = {"POST": "orders"}

    @extend_schema(
        operation_id="orders_status",
        summary="Move an order along its lifecycle; an illegal move is 409",
        description="The order is named by its external_id, or by its number when no order has that external_id "
        "(how a warehouse system moves an endless-aisle order).\n\n"
        "Safe to retry: a move to the status the order already has answers 200 with the order as it is and "
        "writes nothing (no history, stock movement, email or commission event; tracking is not changed). "
        "For `returned` that holds when `lines` is absent or names only units already returned. "
        "Any other move the order's status does not allow is 409.",
        parameters=[ORDER_REFERENCE],
        request=request_body(StatusIn),
        responses={200: response_body(OrderOut), **error_responses(*WRITE_ERRORS, 404)},
        examples=[
            OpenApiExample(
                "Shipped",
                request_only=True,
                value={
                    "status": "shipped",
                    "occurred_at": "2026-11-24T09:00:00+01:00",
                    "tracking": {"carrier": "BRT", "number": "123456", "url": "https://brt.example/123456"},
                },
            )
        ],
    )
    def post(self, request: Request, external_id: str) -> Response:
        order = _order_or_404(external_id)

        def move(item: StatusIn) -> None:
            try:
                order_transition(
                    order=order,
                    to_status=item.status,
                    occurred_at=item.occurred_at,
                    actor_label=_actor_label(request),
                    lines=[{"sku": line.sku, "quantity": line.quantity} for line in item.lines] if item.lines else None,
                    tracking={
                        "carrier": item.tracking.carrier,
                        "number": item.tracking.number,
                        "url": item.tracking.url,
                    }
                    if item.tracking
                    else None,
                    reference=item.reference,
                )
            except AlreadyInStatus:
                pass  # a retried move: 200 with the order as it is
            except IllegalTransition as exc:
                raise Conflict(str(exc)) from exc

        self.ingest_object(request, StatusIn, move)
        return _order_response(status.HTTP_200_OK, pk=order.pk)


urlpatterns = [
    path("orders/", OrdersView.as_view(), name="api-orders"),
    path("orders/<str:external_id>/", OrderDetailView.as_view(), name="api-order-detail"),
    path("orders/<str:external_id>/status/", OrderStatusView.as_view(), name="api-order-status"),
]
