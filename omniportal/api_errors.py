"""One error shape for the whole API: `{"errors": [{"index", "field", "message"}]}`."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class BatchValidationError(exceptions.APIException):
    """A batch (or single body) failed validation; `errors` is the list of per-item errors."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid input."

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail="Invalid input.")
        self.errors = errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail=message)
        self.errors = errors or [{"index": None, "field": None, "message": message}]


def error(message: str, *, field: str | None = None, index: int | None = None) -> dict[str, Any]:
    return {"index": index, "field": field, "message": message}


def _flatten(detail: Any, path: str = "") -> list[dict[str, Any]]:
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
        return Response({"errors": exc.errors}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        errors = [error(str(exc.detail if hasattr(exc, "detail") else exc))]
    response.data = {"errors": errors}
    return response
