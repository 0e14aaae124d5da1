"""Bulk loading: COPY on PostgreSQL, batched executemany elsewhere; never one ORM save per row."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from typing import TextIO

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5_000


class Progress:
    """A plain-text progress bar on a terminal; only one line per finished phase otherwise."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.phase_started = self.started
        self.last_draw = 0.0

    def start(self, phase: str) -> None:
        self.phase_started = time.monotonic()
        if self.tty:
            self.stream.write(f"\r{phase}…")
            self.stream.flush()

    def update(self, phase: str, done: int, total: int, extra: str = "") -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if now - self.last_draw < 0.2 and done < total:
            return
        self.last_draw = now
        share = done / total if total else 1.0
        filled = int(share * 20)
        bar = "#" * filled + "-" * (20 - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%} {phase} {done:,}/{total:,}{extra}\033[K")
        self.stream.flush()

    def finish(self, phase: str, detail: str = "") -> float:
        elapsed = time.monotonic() - self.phase_started
        prefix = "\r" if self.tty else ""
        clear = "\033[K" if self.tty else ""
        self.stream.write(f"{prefix}{phase}: {detail} ({elapsed:.1f} s){clear}\n")
        self.stream.flush()
        return elapsed


class Loader:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.qn = connection.ops.quote_name
        self._dropped: list[tuple[str, str]] = []

    def next_id(self, model: type[models.Model]) -> int:
        """Ids are assigned by the generator (rows reference each other before they are written)."""
        current = model.objects.aggregate(top=models.Max("pk"))["top"]
        return (current or 0) + 1

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        fields = [model._meta.get_field(name) for name in columns]
        attnames = [f.attname for f in fields]
        if attnames != list(columns):
            raise ValueError(f"{model.__name__}: columns must be attribute names, got {columns}")
        table = self.qn(model._meta.db_table)
        column_sql = ", ".join(self.qn(f.column) for f in fields)
        if self.postgres:
            json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                write_row = copy.write_row
                if json_columns:
                    for row in rows:
                        row = list(row)
                        for i in json_columns:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                        write_row(row)
                else:
                    for row in rows:
                        write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"
        preps = [f.get_db_prep_save for f in fields]
        batch: list[list] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append([prep(value, connection) for prep, value in zip(preps, row, strict=True)])
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    def execute(self, sql: str, params: Sequence = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def reset_sequences(self, model_list: Sequence[type[models.Model]]) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), model_list)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def defer_indexes(self, model_list: Sequence[type[models.Model]]) -> list[str]:
        """PostgreSQL only: drop plain secondary indexes before a bulk load; `restore_indexes` recreates them.

        Unique indexes, primary keys and anything backing a constraint stay. Everything runs inside the
        load's transaction, so a failed load rolls the drops back too.
        """
        if not self.postgres:
            return []
        names: list[str] = []
        with connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(
                    """
                    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                    FROM pg_index i
                    WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                    ORDER BY 1
                    """,
                    [model._meta.db_table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    self._dropped.append((name, definition))
                    names.append(name)
        return names

    def restore_indexes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self._dropped:
                cursor.execute(definition)
        restored = len(self._dropped)
        self._dropped = []
        return restored
