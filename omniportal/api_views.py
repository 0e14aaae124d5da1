"""What every integration endpoint shares: body limits, batch errors in one shape, query parameters, docs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import IntegrityError, models
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_batch import InvalidItems, MalformedBody, TooManyItems, batch_type, decode_batch, decode_object
from .api_errors import BatchValidationError, Conflict, ErrorBody, PayloadTooLarge, error

T = TypeVar("T")

# -- the published schema ------------------------------------------------------------------------------------
# Every body in /api/schema/ is what msgspec generates for the type that validates it (a request) or builds it
# (a response): nothing describes a payload on the side, so the two cannot drift apart. The components are
# collected as the views declare them and added to the schema by `add_components`.

COMPONENT_REF = "#/components/schemas/{name}"
# Every component `json_schema` generated, by name: what `add_components` publishes.
components: dict[str, dict[str, Any]] = {}
# (key, item type) of every batch body: generated as the schema is, since a batch's size limit is a setting.
batches: set[tuple[str, type]] = set()


def json_schema(body_type: Any, *, response: bool = False) -> dict[str, Any]:
    """msgspec's JSON Schema of `body_type` (a `$ref` for a Struct, dataclass or TypedDict), its components kept.

    A response holds every field of its type, defaults included: a response component requires them all, and a
    default (what a request may leave out) means nothing there.
    """
    (schema,), generated = msgspec.json.schema_components([body_type], ref_template=COMPONENT_REF)
    for name, component in generated.items():
        if response and "properties" in component:
            properties = {
                field: {key: value for key, value in field_schema.items() if key != "default"}
                for field, field_schema in component["properties"].items()
            }
            component = {**component, "properties": properties, "required": list(properties)}
        if components.setdefault(name, component) != component:
            raise ImproperlyConfigured(f"Two different API schemas are named {name!r}: rename one of the types.")
    return schema


def request_body(body_type: type) -> dict[str, dict[str, Any]]:
    """`extend_schema(request=…)` for a JSON body that `body_type` validates."""
    return {"application/json": json_schema(body_type)}


def batch_body(key: str, item_type: type) -> dict[str, dict[str, Any]]:
    """`extend_schema(request=…)` for `{"<key>": [item, ...]}`: the struct `IntegrationView.ingest_batch` decodes."""
    json_schema(item_type)
    batches.add((key, item_type))
    name = batch_type(key, item_type, settings.API_MAX_BATCH_ITEMS).__name__
    return {"application/json": {"$ref": COMPONENT_REF.format(name=name)}}


def response_body(body_type: Any, description: str = "") -> OpenApiResponse:
    """`extend_schema(responses={code: …})` for a body built by `body_type`."""
    return OpenApiResponse(json_schema(body_type, response=True), description=description)


def add_components(
    result: dict[str, Any], generator: SchemaGenerator, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the components `json_schema` collected, the batches at the size
    limit the settings hold now, and request bodies required (drf-spectacular marks a body given as a schema
    optional; ours are all decoded, so none is)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components)
    for key, item_type in batches:
        batch = batch_type(key, item_type, settings.API_MAX_BATCH_ITEMS)
        schemas.update(msgspec.json.schema_components([batch], ref_template=COMPONENT_REF)[1])
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"]["required"] = True
    return result


# What a response holds where a Python value is not its JSON: `format(amount, "f")`, `datetime.isoformat()`.
DecimalString = Annotated[
    str, msgspec.Meta(pattern=r"^-?[0-9]+(\.[0-9]+)?$", description="A decimal number as a string, e.g. '189.00'.")
]
DateTimeString = Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]


def choice_of(choices: type[models.TextChoices]) -> Any:
    """One of a model's choices, for a response field (msgspec does not take Django's enum types)."""
    return Literal[tuple(choices.values)]


class Page(msgspec.Struct, Generic[T]):
    """DRF's page-number shape."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


def page_response(paginator: PageNumberPagination, results: list[Any]) -> Response:
    """The current page of `paginator` (which has paginated a queryset) around `results`."""
    page = Page(
        count=paginator.page.paginator.count,
        next=paginator.get_next_link(),
        previous=paginator.get_previous_link(),
        results=results,
    )
    return Response(msgspec.to_builtins(page))


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
    return {code: response_body(ErrorBody, described[code]) for code in codes}


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
