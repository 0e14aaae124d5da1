"""Integration API v1: catalogue, locations and stock in; products, availability and stores out."""

from __future__ import annotations

from typing import Annotated

import msgspec
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from omniportal.api_views import (
    READ_ERRORS,
    WRITE_ERRORS,
    DecimalString,
    IntegrationView,
    Page,
    batch_body,
    choice_of,
    error_responses,
    page_response,
    query_int,
    query_point,
    response_body,
)
from omniportal.models import Location, LocationKind

from .ingest import (
    Counts,
    LocationIn,
    ProductIn,
    StockLevelIn,
    locations_upsert,
    products_upsert,
    stock_levels_apply,
)
from .models import Product, StockLevel, atp_expression
from .selectors import nearest_first, stock_by_distance

# -- selectors ------------------------------------------------------------------------------------------------


def availability_nearest(*, product: Product, point: tuple[float, float] | None, limit: int) -> QuerySet:
    """ATP of one product at active locations holding it, nearest to `point` first (ties: lowest code).

    Rows are tuples: (code, name, kind, distance_km, atp, ships_to_home, offers_pickup); distance_km is None
    without a point.
    """
    return stock_by_distance(product=product, point=point).values_list(
        "location__code",
        "location__name",
        "location__kind",
        "distance_km",
        "atp",
        "location__ships_to_home",
        "location__offers_pickup",
    )[:limit]


def stores_nearest(*, point: tuple[float, float] | None) -> QuerySet[Location]:
    return nearest_first(Location.objects.filter(kind=LocationKind.STORE, active=True), point)


def products_listed(*, skus: list[str] | None, available_at: Location | None) -> QuerySet[Product]:
    products = Product.objects.select_related("category").order_by("sku")
    if skus:
        products = products.filter(sku__in=skus)
    if available_at is not None:
        stock = StockLevel.objects.filter(product=OuterRef("pk"), location=available_at).annotate(atp=atp_expression())
        products = products.filter(Exists(stock.filter(atp__gt=0))).annotate(atp=Subquery(stock.values("atp")[:1]))
    return products


# -- response bodies: built by these structs and published from them ------------------------------------------


class ProductOut(msgspec.Struct):
    sku: str
    name: str
    category: Annotated[str, msgspec.Meta(description="Category code.")]
    price: DecimalString
    currency: str
    barcode: str
    brand: str
    image_url: str
    active: bool
    atp: Annotated[int | None, msgspec.Meta(description="ATP at the `available_at` store (null without that filter).")]


def product_data(product: Product) -> ProductOut:
    return ProductOut(
        sku=product.sku,
        name=product.name,
        category=product.category.code,
        price=format(product.price, "f"),
        currency=product.currency,
        barcode=product.barcode,
        brand=product.brand,
        image_url=product.image_url,
        active=product.active,
        atp=getattr(product, "atp", None),
    )


class AvailabilityRow(msgspec.Struct):
    location: Annotated[str, msgspec.Meta(description="Location code.")]
    name: str
    kind: choice_of(LocationKind)
    distance_km: Annotated[float | None, msgspec.Meta(description="From lat/lon; null without them.")]
    atp: Annotated[int, msgspec.Meta(description="max(0, on_hand − reserved − safety_stock).")]
    ships_to_home: bool
    offers_pickup: bool


class Availability(msgspec.Struct):
    sku: str
    results: Annotated[list[AvailabilityRow], msgspec.Meta(description="Nearest first (ties: lowest code).")]


class StoreAddress(msgspec.Struct):
    line1: str
    city: str
    postal_code: str
    country: str


class StoreOut(msgspec.Struct):
    code: str
    name: str
    address: StoreAddress
    lat: float
    lon: float
    ships_to_home: bool
    offers_pickup: bool
    distance_km: Annotated[float | None, msgspec.Meta(description="From lat/lon; null without them.")]


def store_data(store: Location) -> StoreOut:
    return StoreOut(
        code=store.code,
        name=store.name,
        address=StoreAddress(
            line1=store.address_line1, city=store.city, postal_code=store.postal_code, country=store.country
        ),
        lat=store.lat,
        lon=store.lon,
        ships_to_home=store.ships_to_home,
        offers_pickup=store.offers_pickup,
        distance_km=_round_km(store.distance_km),
    )


def _round_km(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# -- views ------------------------------------------------------------------------------------------------------

_PRODUCT_EXAMPLE = {
    "products": [
        {
            "sku": "JKT-001-M",
            "name": "Giacca in lana",
            "category": "outerwear",
            "price": "189.00",
            "currency": "EUR",
            "barcode": "8001234567890",
            "brand": "Omni",
            "active": True,
        }
    ]
}


class ProductsView(IntegrationView):
    scopes = {"GET": "read", "POST": "catalog"}

    @extend_schema(
        operation_id="products_list",
        summary="List products (filter by SKU, or by ATP at a store)",
        parameters=[
            OpenApiParameter("sku", OpenApiTypes.STR, description="One SKU, or several separated by commas."),
            OpenApiParameter(
                "available_at", OpenApiTypes.STR, description="Store code: only products with ATP > 0 there."
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: response_body(Page[ProductOut]), **error_responses(*READ_ERRORS, 404)},
    )
    def get(self, request: Request) -> Response:
        raw_skus = request.query_params.get("sku", "")
        skus = [s.strip() for s in raw_skus.split(",") if s.strip()][:500] or None
        available_at = None
        code = request.query_params.get("available_at")
        if code:
            available_at = Location.objects.filter(code=code, kind=LocationKind.STORE).first()
            if available_at is None:
                raise exceptions.ValidationError({"available_at": [f"Unknown store '{code}'."]})
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(products_listed(skus=skus, available_at=available_at), request, view=self)
        return page_response(paginator, [product_data(product) for product in page])

    @extend_schema(
        operation_id="products_upsert",
        summary="Upsert products by SKU",
        request=batch_body("products", ProductIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("Two fields optional", value=_PRODUCT_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "products", ProductIn, lambda items: products_upsert(items=items))
        return Response(counts.as_dict())


class LocationsView(IntegrationView):
    scopes = {"POST": "catalog"}

    @extend_schema(
        operation_id="locations_upsert",
        summary="Upsert stores and warehouses by code",
        request=batch_body("locations", LocationIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A store",
                request_only=True,
                value={
                    "locations": [
                        {
                            "code": "MI01",
                            "name": "Milano Duomo",
                            "kind": "store",
                            "address": {
                                "line1": "Piazza del Duomo 1",
                                "city": "Milano",
                                "postal_code": "20121",
                                "country": "IT",
                            },
                            "lat": 45.4642,
                            "lon": 9.19,
                            "ships_to_home": True,
                            "offers_pickup": True,
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "locations", LocationIn, lambda items: locations_upsert(items=items))
        return Response(counts.as_dict())


class StockView(IntegrationView):
    scopes = {"POST": "stock"}

    @extend_schema(
        operation_id="stock_snapshots",
        summary="Absolute on_hand snapshots from the WMS/ERP",
        description=(
            "A snapshot older than the row's `as_of` is stale and ignored. Unknown location or SKU → 400. "
            "A snapshot whose on_hand is below the units reserved for open orders → 400 naming `on_hand`."
        ),
        request=batch_body("levels", StockLevelIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "One row",
                request_only=True,
                value={
                    "levels": [
                        {
                            "location": "MI01",
                            "sku": "JKT-001-M",
                            "on_hand": 7,
                            "as_of": "2026-11-23T08:00:00+01:00",
                            "safety_stock": 1,
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(
            request, "levels", StockLevelIn, lambda items: stock_levels_apply(items=items, reference="api")
        )
        return Response(counts.as_dict())


_POINT_PARAMETERS = [
    OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude of the shopper, −90…90."),
    OpenApiParameter("lon", OpenApiTypes.DOUBLE, description="Longitude of the shopper, −180…180."),
]


class AvailabilityView(IntegrationView):
    scopes = {"GET": "read"}

    @extend_schema(
        operation_id="availability",
        summary="ATP of one SKU at the nearest locations",
        parameters=[
            OpenApiParameter("sku", OpenApiTypes.STR, required=True),
            *_POINT_PARAMETERS,
            OpenApiParameter("limit", OpenApiTypes.INT, description="1…500, default 20."),
        ],
        responses={200: response_body(Availability), **error_responses(*READ_ERRORS, 404)},
    )
    def get(self, request: Request) -> HttpResponse:
        sku = request.query_params.get("sku", "")
        if not sku:
            raise exceptions.ValidationError({"sku": ["This parameter is required."]})
        point = query_point(request)
        limit = query_int(request, "limit", default=20, low=1, high=500)
        product = Product.objects.filter(sku=sku).only("id", "sku").first()
        if product is None:
            raise exceptions.NotFound(f"Unknown SKU '{sku}'.")
        results = [
            AvailabilityRow(code, name, kind, _round_km(distance_km), atp, ships_to_home, offers_pickup)
            for code, name, kind, distance_km, atp, ships_to_home, offers_pickup in availability_nearest(
                product=product, point=point, limit=limit
            )
        ]
        # Up to 500 rows: encoded by msgspec straight from the structs, not a serializer per row (most of the time
        # it took). DRF still authenticates, throttles and negotiates (406) before this point.
        body = msgspec.json.encode(Availability(sku=sku, results=results))
        return HttpResponse(body, content_type="application/json")


class StoresView(IntegrationView):
    scopes = {"GET": "read"}

    @extend_schema(
        operation_id="stores_nearest",
        summary="Active stores by distance (store locator)",
        parameters=[*_POINT_PARAMETERS, OpenApiParameter("page", OpenApiTypes.INT)],
        responses={200: response_body(Page[StoreOut]), **error_responses(*READ_ERRORS, 404)},
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(stores_nearest(point=query_point(request)), request, view=self)
        return page_response(paginator, [store_data(store) for store in page])
