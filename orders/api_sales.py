"""Integration API v1: in-store till sales (POS)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.ingest import Counts
from omniportal.api_views import WRITE_ERRORS, IntegrationView, batch_body, error_responses, response_body

from .ingest_sales import SaleIn, sales_record


class SalesView(IntegrationView):
    scopes = {"POST": "sales"}

    @extend_schema(
        operation_id="sales_record",
        summary="In-store till sales, idempotent by external_id",
        description="A sale whose external_id is already stored is ignored (counted in `ignored`).",
        request=batch_body("sales", SaleIn),
        responses={200: response_body(Counts), **error_responses(*WRITE_ERRORS)},
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
