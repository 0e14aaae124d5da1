"""`GET /api/v1/commissions/?period=YYYY-MM&store=CODE`: the ledger for payroll (scope `read`).

`commission_entry_data` is the one shape of a commission entry (SPEC section 3); the order API reuses it.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from omniportal.api_errors import BatchValidationError, error
from omniportal.api_views import (
    DateTimeString,
    DecimalString,
    IntegrationView,
    Page,
    choice_of,
    error_responses,
    page_response,
    response_body,
)
from omniportal.models import Location, LocationKind

from .commissions.periods import parse_period
from .commissions.selectors import commission_entries
from .models import CommissionEntry, EntryKind, LocationSource


class CommissionEntryOut(msgspec.Struct):
    order: Annotated[str, msgspec.Meta(description="The order's external_id, or its number for endless-aisle orders.")]
    store: Annotated[str, msgspec.Meta(description="Store code.")]
    kind: choice_of(EntryKind)
    amount: Annotated[DecimalString, msgspec.Meta(description="Negative for reversals.")]
    currency: str
    period: Annotated[str, msgspec.Meta(pattern="^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")]
    distance_km: float | None
    location_source: choice_of(LocationSource)
    policy: str
    rate: DecimalString
    share: DecimalString
    created_at: DateTimeString


def commission_entry_data(entry: CommissionEntry) -> CommissionEntryOut:
    """One entry as integrators see it. Needs `order`, `store` and `policy` loaded (select_related)."""
    order = entry.order
    return CommissionEntryOut(
        order=order.external_id or order.number,
        store=entry.store.code,
        kind=entry.kind,
        amount=format(entry.amount, "f"),
        currency=entry.currency,
        period=f"{entry.period:%Y-%m}",
        distance_km=None if entry.distance_km is None else round(entry.distance_km, 3),
        location_source=entry.location_source,
        policy=entry.policy.name,
        rate=format(entry.rate, "f"),
        share=format(entry.share, "f"),
        created_at=entry.created_at.isoformat(),
    )


class CommissionQuery(serializers.Serializer):
    period = serializers.CharField(required=False, max_length=7)
    store = serializers.CharField(required=False, max_length=32)

    def validate_period(self, value: str):
        try:
            return parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError("Expected a month as YYYY-MM.") from exc

    def validate_store(self, value: str) -> Location:
        store = Location.objects.filter(code=value, kind=LocationKind.STORE).first()
        if store is None:
            raise serializers.ValidationError("No store has this code.")
        return store


class CommissionPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class CommissionListView(IntegrationView):
    scopes = {"GET": "read"}

    @staticmethod
    def entries(request: Request) -> QuerySet[CommissionEntry]:
        query = CommissionQuery(data=request.query_params)
        if not query.is_valid():
            raise BatchValidationError(
                [error(str(message), field=field) for field, messages in query.errors.items() for message in messages]
            )
        return commission_entries(
            store=query.validated_data.get("store"), period=query.validated_data.get("period")
        ).order_by("period", "store__code", "created_at", "id")

    @extend_schema(
        operation_id="commissions_list",
        parameters=[
            OpenApiParameter("page", int, description="A page number within the paginated result set."),
            OpenApiParameter("period", str, description="Statement month, YYYY-MM."),
            OpenApiParameter("store", str, description="Store code."),
            OpenApiParameter("page_size", int, description="Entries per page (at most 1000)."),
        ],
        responses={
            200: response_body(Page[CommissionEntryOut]),
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = CommissionPagination()
        page = paginator.paginate_queryset(self.entries(request), request, view=self)
        return page_response(paginator, [commission_entry_data(entry) for entry in page])


# Included from orders/api_urls.py.
urlpatterns = [path("commissions/", CommissionListView.as_view(), name="api-commissions")]
