"""Integration API v1: in-store till sales (POS)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from omniportal.api_views import WRITE_ERRORS, CountsSerializer, IntegrationView, error_responses

from .ingest_sales import SaleIn, sales_record


class SaleLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=True)


class SaleInSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    store = serializers.CharField(max_length=32, help_text="Store code.")
    sold_at = serializers.DateTimeField()
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO-4217.")
    customer_external_id = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    loyalty_number = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    lines = SaleLineSerializer(many=True, min_length=1)


class SaleBatchSerializer(serializers.Serializer):
    sales = SaleInSerializer(many=True, max_length=5000)


class SalesView(IntegrationView):
    scopes = {"POST": "sales"}

    @extend_schema(
        operation_id="sales_record",
        summary="In-store till sales, idempotent by external_id",
        description="A sale whose external_id is already stored is ignored (counted in `ignored`).",
        request=SaleBatchSerializer,
        responses={200: CountsSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A receipt",
                request_only=True,
                value={
                    "sales": [
                        {
                            "external_id": "POS-MI01-000123",
                            "store": "MI01",
                            "sold_at": "2026-11-23T11:30:00+01:00",
                            "currency": "EUR",
                            "loyalty_number": "L-778899",
                            "lines": [{"sku": "JKT-001-M", "quantity": 1, "unit_price": "189.00"}],
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        counts = self.ingest_batch(request, "sales", SaleIn, lambda items: sales_record(items=items))
        return Response(counts.as_dict())


# Included from orders/api_urls.py (one line), so the orders engineer's URL module stays theirs.
urlpatterns = [path("sales/", SalesView.as_view(), name="api-sales")]
