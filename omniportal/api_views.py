"""What every integration endpoint shares: body limits, batch errors in one shape, query parameters, docs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from .api_batch import InvalidItems, MalformedBody, TooManyItems, decode_batch, decode_object
from .api_errors import BatchValidationError, Conflict, PayloadTooLarge, error

T = TypeVar("T")


class ErrorItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="Position of the bad item in the batch.")
    field = serializers.CharField(allow_null=True, help_text="Path of the bad field, e.g. `lines[0].quantity`.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField(help_text="Stale snapshots, duplicates within the batch, erased customers.")


def paginated(serializer_class: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """DRF's page-number shape around `serializer_class`, for the schema of a list endpoint."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )()


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    described = {
        400: "Invalid input: malformed JSON, or the listed items/fields are invalid; nothing was written.",
        401: "No token, or an invalid one.",
        403: "The token lacks the scope this endpoint needs.",
        404: "Not found.",
        409: "A concurrent write got in the way; retry the batch.",
        413: "More than 5,000 items, or a body over the size limit.",
        429: "Throttled: too many requests for this token.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


WRITE_ERRORS = (400, 401, 403, 409, 413, 429)
READ_ERRORS = (400, 401, 403, 429)


class IntegrationView(APIView):
    """Scope per HTTP method: `scopes = {"GET": "read", "POST": "catalog"}` (or `required_scope` for all)."""

    scopes: dict[str, str] = {}

    @property
    def required_scope(self) -> str | None:
        request = getattr(self, "request", None)
        method = request.method if request is not None else "GET"
        return self.scopes.get(method) or self.scopes.get("*")

    # -- writes ---------------------------------------------------------------------------------------------
    @staticmethod
    def body(request: Request) -> bytes:
        """The raw body, refused with 413 over `API_MAX_BODY_BYTES` (announced length and actual length)."""
        limit = settings.API_MAX_BODY_BYTES
        django_request = request._request
        try:
            announced = int(django_request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > limit:
            raise PayloadTooLarge(f"The body is over {limit} bytes.")
        try:
            body = django_request.body
        except RequestDataTooBig as exc:
            raise PayloadTooLarge(f"The body is over {limit} bytes.") from exc
        if len(body) > limit:
            raise PayloadTooLarge(f"The body is over {limit} bytes.")
        return body

    def ingest_batch(self, request: Request, key: str, item_type: type[T], service: Callable[[list[T]], Any]) -> Any:
        body = self.body(request)
        return _translate(lambda: service(decode_batch(body, key, item_type, max_items=settings.API_MAX_BATCH_ITEMS)))

    def ingest_object(self, request: Request, item_type: type[T], service: Callable[[T], Any]) -> Any:
        body = self.body(request)
        return _translate(lambda: service(decode_object(body, item_type)))


def _translate(work: Callable[[], Any]) -> Any:
    """Domain errors → HTTP errors in the one shape."""
    try:
        return work()
    except MalformedBody as exc:
        raise BatchValidationError([error(str(exc))]) from exc
    except TooManyItems as exc:
        raise PayloadTooLarge(str(exc)) from exc
    except InvalidItems as exc:
        raise BatchValidationError(exc.errors) from exc
    except IntegrityError as exc:
        # Only a concurrent batch touching the same unique keys gets here: validation ran first.
        raise Conflict("A concurrent write touched the same rows; retry the batch.") from exc


# -- query parameters --------------------------------------------------------------------------------------


def query_float(request: Request, name: str, *, low: float, high: float) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise exceptions.ValidationError({name: [f"A number between {low:g} and {high:g}."]})
    return value


def query_int(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not (low <= int(raw) <= high):
        raise exceptions.ValidationError({name: [f"An integer between {low} and {high}."]})
    return int(raw)


def query_point(request: Request) -> tuple[float, float] | None:
    lat = query_float(request, "lat", low=-90, high=90)
    lon = query_float(request, "lon", low=-180, high=180)
    if (lat is None) != (lon is None):
        raise exceptions.ValidationError({"lat" if lat is None else "lon": ["Give both lat and lon, or neither."]})
    return None if lat is None else (lat, lon)
