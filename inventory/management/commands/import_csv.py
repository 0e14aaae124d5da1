"""`python manage.py import_csv locations|products|stock|postal_codes FILE`: all rows or none."""

from __future__ import annotations

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory.csv_import import KINDS, CsvImportError, import_csv


class _Progress:
    """A one-line progress bar on stderr, driven by the bytes read so far."""

    def __init__(self, handle, total_bytes: int, stream) -> None:
        self.handle, self.total, self.stream = handle, max(total_bytes, 1), stream
        self.started = time.monotonic()

    def __call__(self, rows: int) -> None:
        try:
            done = min(1.0, self.handle.buffer.tell() / self.total)
        except (OSError, ValueError):
            done = 0.0
        bar = "#" * int(done * 30)
        rate = rows / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{bar:<30}] {done:4.0%} {rows:,} rows ({rate:,.0f}/s)")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import locations, products, stock or postal codes (GeoNames format) from a file; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")

    def handle(self, *args: object, **options: object) -> None:
        kind, path = str(options["kind"]), str(options["file"])
        try:
            handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        with handle:
            progress = _Progress(handle, os.fstat(handle.fileno()).st_size, sys.stderr)
            try:
                totals = import_csv(kind=kind, stream=handle, progress=progress)
            except CsvImportError as exc:
                progress.finish()
                raise CommandError(
                    f"Nothing imported, {len(exc.errors)} problem(s):\n" + "\n".join(exc.errors)
                ) from exc
            progress.finish()
        self.stdout.write(
            f"Imported {totals['rows']:,} {kind} rows: {totals['created']:,} created, "
            f"{totals['updated']:,} updated, {totals['ignored']:,} ignored."
        )
