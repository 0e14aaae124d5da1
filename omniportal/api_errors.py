"""One error shape for the whole API: `{"errors": [{"index", "field", "message"}]}`."""

from __future__ import annotations

from typing import Any, TypedDict

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_batch import ErrorItem, item_error


class ErrorBody(TypedDict):
    """Every error, whatever its status."""

    errors: list[ErrorItem]


class BatchValidationError(exceptions.APIException):
    """A batch (or single body) failed validation; `errors` is the list of per-item errors."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid input."

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__(detail="Invalid input.")
        self.errors = errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."

    def __init__(self, message: str, errors: list[ErrorItem] | None = None) -> None:
        super().__init__(detail=message)
        self.errors = errors or [error(message)]


def error(message: str, *, field: str | None = None, index: int | None = None) -> ErrorItem:
    return item_error(index, field, message)


def _flatten(detail: Any, path: str = "") -> list[ErrorItem]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key == "non_field_errors":
                out += _flatten(value, path)
            else:
                out += _flatten(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [error(str(item), field=path or None) for item in detail]
        out = []
        for i, item in enumerate(detail):
            if item:
                out += _flatten(item, f"{path}[{i}]")
        return out
    return [error(str(detail), field=path or None)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (BatchValidationError, Conflict)):
        return Response(ErrorBody(errors=exc.errors), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        errors = [error(str(exc.detail if hasattr(exc, "detail") else exc))]
    response.data = ErrorBody(errors=errors)
    return response
