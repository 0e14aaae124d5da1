"""CSV import for head office (`manage.py import_csv`, admin upload): the API's validation and services.

A file is all-or-nothing: it is read in chunks of 5,000 rows, each validated by the same msgspec structs
and written by the same ingest function as the API, inside one transaction that is rolled back when any
row is invalid. Errors carry the file's line number.

Formats (UTF-8, header row, comma-separated):
- locations: code,name,kind,line1,city,postal_code,country,lat,lon[,ships_to_home,offers_pickup,commission_eligible,active]
- products: sku,name,category,price,currency[,barcode,brand,image_url,active]
- stock: location,sku,on_hand,as_of[,safety_stock]
- postal_codes: GeoNames postal code format, tab-separated, no header: country, postal code, place name,
  admin name1, admin code1, admin name2, admin code2, admin name3, admin code3, latitude, longitude, accuracy.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from omniportal.api_batch import InvalidItems, validate_items

from .ingest import (
    Counts,
    LocationIn,
    PostalCodeIn,
    ProductIn,
    StockLevelIn,
    locations_upsert,
    postal_codes_load,
    products_upsert,
    stock_levels_apply,
)

CHUNK_ROWS = 5000
MAX_REPORTED_ERRORS = 200
_ADDRESS_COLUMNS = ("line1", "city", "postal_code", "country")
_GEONAMES_COLUMNS = (
    "country",
    "postal_code",
    "place_name",
    "admin_name1",
    "admin_code1",
    "admin_name2",
    "admin_code2",
    "admin_name3",
    "admin_code3",
    "lat",
    "lon",
    "accuracy",
)


@dataclass(frozen=True)
class Kind:
    item_type: type
    write: Callable[[list[Any]], Counts]
    required: tuple[str, ...]
    tab_separated: bool = False


KINDS: dict[str, Kind] = {
    "locations": Kind(
        LocationIn,
        lambda items: locations_upsert(items=items),
        ("code", "name", "kind", "country", "lat", "lon"),
    ),
    "products": Kind(
        ProductIn, lambda items: products_upsert(items=items), ("sku", "name", "category", "price", "currency")
    ),
    "stock": Kind(
        StockLevelIn,
        lambda items: stock_levels_apply(items=items, reference="csv import"),
        ("location", "sku", "on_hand", "as_of"),
    ),
    "postal_codes": Kind(PostalCodeIn, lambda items: postal_codes_load(items=items), (), tab_separated=True),
}


class CsvImportError(ValueError):
    """The file was refused; `errors` are human-readable lines ("line 12, price: Must not be negative.")."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _rows(kind: str, stream: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    spec = KINDS[kind]
    if spec.tab_separated:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            yield reader.line_num, dict(zip(_GEONAMES_COLUMNS, (cell.strip() for cell in row), strict=False))
        return
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in spec.required if name not in header]
    if missing:
        raise CsvImportError([f"line 1: missing column(s) {', '.join(missing)}"])
    reader.fieldnames = header
    for row in reader:
        values = {k: v.strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        if not any(values.values()):
            continue
        if kind == "locations":
            values["address"] = {name: values.pop(name, "") for name in _ADDRESS_COLUMNS}
        yield reader.line_num, values


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    # An empty cell means "not given": the struct's default applies (or "required" is reported). The
    # nested address keeps its empty cells: its keys are required, its values may be blank.
    return {k: v for k, v in row.items() if v != ""}


def import_csv(*, kind: str, stream: IO[str], progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Import a whole file or nothing. Returns the summed counts; raises CsvImportError with line numbers."""
    if kind not in KINDS:
        raise CsvImportError([f"Unknown kind '{kind}': choose {', '.join(KINDS)}."])
    spec = KINDS[kind]
    totals = {"created": 0, "updated": 0, "ignored": 0, "rows": 0}
    errors: list[str] = []
    try:
        with transaction.atomic():
            chunk: list[tuple[int, dict[str, Any]]] = []
            for line, row in _rows(kind, stream):
                chunk.append((line, _clean(row)))
                if len(chunk) == CHUNK_ROWS:
                    _import_chunk(spec, chunk, totals, errors)
                    if progress:
                        progress(totals["rows"])
                    chunk = []
            if chunk:
                _import_chunk(spec, chunk, totals, errors)
                if progress:
                    progress(totals["rows"])
            if errors:
                raise CsvImportError(errors[:MAX_REPORTED_ERRORS])
    except UnicodeDecodeError as exc:
        raise CsvImportError([f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."]) from exc
    except csv.Error as exc:
        raise CsvImportError([f"The file is not valid CSV: {exc}"]) from exc
    if totals["rows"] == 0:
        raise CsvImportError(["The file has no rows."])
    return totals


def _import_chunk(spec: Kind, chunk: list[tuple[int, dict[str, Any]]], totals: dict, errors: list[str]) -> None:
    lines = [line for line, _row in chunk]
    totals["rows"] += len(chunk)
    try:
        items = validate_items(
            "rows", [row for _line, row in chunk], spec.item_type, max_items=CHUNK_ROWS, strict=False
        )
        if errors:
            return  # the file is already refused; keep validating to report every bad line
        counts = spec.write(items)
    except InvalidItems as exc:
        for error in exc.errors:
            where = f"line {lines[error['index']]}" if error["index"] is not None else "file"
            field = f", {error['field']}" if error["field"] else ""
            errors.append(f"{where}{field}: {error['message']}")
        return
    for key, value in counts.as_dict().items():
        totals[key] += value
