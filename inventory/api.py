"""Integration API v1: catalogue, locations and stock in; products, availability and stores out."""

from __future__ import annotations

import msgspec
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from omniportal.api_views import (
    READ_ERRORS,
    WRITE_ERRORS,
    CountsSerializer,
    IntegrationView,
    error_responses,
    paginated,
    query_int,
    query_point,
)
from omniportal.models import Location, LocationKind

from .ingest import (
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


# -- documentation serializers (the runtime validation is the msgspec structs in inventory.ingest) ------------


class ProductInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=300)
    category = serializers.CharField(max_length=64, help_text="Category code; a new code creates the category.")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=True)
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO-4217, e.g. EUR.")
    barcode = serializers.CharField(max_length=64, required=False, allow_blank=True)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    image_url = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="http(s) URL.")
    active = serializers.BooleanField(required=False, default=True)


class ProductBatchSerializer(serializers.Serializer):
    products = ProductInSerializer(many=True, max_length=5000)


class AddressInSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, allow_blank=True)
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO-3166 alpha-2, e.g. IT.")


class LocationInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=LocationKind.choices)
    address = AddressInSerializer()
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    ships_to_home = serializers.BooleanField(required=False, default=True)
    offers_pickup = serializers.BooleanField(required=False, default=False)
    commission_eligible = serializers.BooleanField(required=False, default=True)
    active = serializers.BooleanField(required=False, default=True)


class LocationBatchSerializer(serializers.Serializer):
    locations = LocationInSerializer(many=True, max_length=5000)


class StockLevelInSerializer(serializers.Serializer):
    location = serializers.CharField(max_length=32, help_text="Location code.")
    sku = serializers.CharField(max_length=64)
    on_hand = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    as_of = serializers.DateTimeField(help_text="ISO-8601 with offset; older than the stored row's as_of → ignored.")
    safety_stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False, allow_null=True)


class StockBatchSerializer(serializers.Serializer):
    levels = StockLevelInSerializer(many=True, max_length=5000)


class ProductOutSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(source="category.code")
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    barcode = serializers.CharField()
    brand = serializers.CharField()
    image_url = serializers.CharField()
    active = serializers.BooleanField()
    atp = serializers.IntegerField(
        allow_null=True, default=None, help_text="ATP at the `available_at` store (null without that filter)."
    )


# Documents an availability row (schema only): AvailabilityView builds the rows itself, since 500 rows through
# a serializer took most of the request. A docstring here would change the published schema.
class AvailabilityRowSerializer(serializers.Serializer):
    location = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    atp = serializers.IntegerField()
    ships_to_home = serializers.BooleanField()
    offers_pickup = serializers.BooleanField()


class AvailabilitySerializer(serializers.Serializer):
    sku = serializers.CharField()
    results = AvailabilityRowSerializer(many=True)


class StoreOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.SerializerMethodField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    ships_to_home = serializers.BooleanField()
    offers_pickup = serializers.BooleanField()
    distance_km = serializers.FloatField(allow_null=True)

    @extend_schema_field(AddressInSerializer)
    def get_address(self, store: Location) -> dict[str, str]:
        return {
            "line1": store.address_line1,
            "city": store.city,
            "postal_code": store.postal_code,
            "country": store.country,
        }


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
        responses={200: paginated(ProductOutSerializer, "PaginatedProductList"), **error_responses(*READ_ERRORS, 404)},
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
        return paginator.get_paginated_response(ProductOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="products_upsert",
        summary="Upsert products by SKU",
        request=ProductBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        request=LocationBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        request=StockBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
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
        responses={200: AvailabilitySerializer, **error_responses(*READ_ERRORS, 404)},
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
            {
                "location": code,
                "name": name,
                "kind": kind,
                "distance_km": _round_km(distance_km),
                "atp": atp,
                "ships_to_home": ships_to_home,
                "offers_pickup": offers_pickup,
            }
            for code, name, kind, distance_km, atp, ships_to_home, offers_pickup in availability_nearest(
                product=product, point=point, limit=limit
            )
        ]
        # Up to 500 rows: plain dicts encoded by msgspec, not a serializer per row (most of the time it took).
        # The shape is AvailabilitySerializer's, which documents it; DRF still authenticates, throttles and
        # negotiates (406) before this point.
        return HttpResponse(msgspec.json.encode({"sku": sku, "results": results}), content_type="application/json")


class StoresView(IntegrationView):
    scopes = {"GET": "read"}

    @extend_schema(
        operation_id="stores_nearest",
        summary="Active stores by distance (store locator)",
        parameters=[*_POINT_PARAMETERS, OpenApiParameter("page", OpenApiTypes.INT)],
        responses={200: paginated(StoreOutSerializer, "PaginatedStoreList"), **error_responses(*READ_ERRORS, 404)},
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(stores_nearest(point=query_point(request)), request, view=self)
        for store in page:
            store.distance_km = _round_km(store.distance_km)
        return paginator.get_paginated_response(StoreOutSerializer(page, many=True).data)
