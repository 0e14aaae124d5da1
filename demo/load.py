"""Bulk loading: COPY on PostgreSQL, batched executemany elsewhere; never one ORM save per row."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5_000


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopyText(str):
    """Rows already in PostgreSQL's COPY text format (tab-separated, \\N for NULL, one row per line)."""


def _copy_cell(value: object) -> str:
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)  # type: ignore[union-attr]
    if value is None:
        return "\\N"
    if kind is int or kind is float or kind is Decimal:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()  # type: ignore[union-attr]
    if kind is dict or kind is list:
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    raise TypeError(f"No COPY text form for {kind.__name__}")


def copy_text(rows: Iterable[Sequence]) -> CopyText:
    """`rows` in COPY text format: what psycopg's write_row would send, built where the rows are made."""
    cell = _copy_cell
    return CopyText("".join(["\t".join([cell(v) for v in row]) + "\n" for row in rows]))


def event_copy_text(rows: Iterable[Sequence]) -> CopyText:
    """`copy_text` for rows in the demo's EVENT_COLUMNS order, several times faster: a fifth of a bench seed.

    Safe without escaping because every text column of a generated event is hex, a code, or a constant from
    omniportal/demo/data.py that has no tab, newline or backslash (a test checks the constants).
    """
    null = "\\N"
    lines = []
    append = lines.append
    for pk, event_id, kind, at, session, cid, external, pid, sku, quantity, query, channel, device in rows:
        append(
            f"{pk}\t{event_id}\t{kind}\t{at.isoformat()}\t{session}\t{null if cid is None else cid}\t{external}\t"
            f"{null if pid is None else pid}\t{sku}\t{null if quantity is None else quantity}\t{query}\t"
            f"{channel}\t{device}\n"
        )
    return CopyText("".join(lines))


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
        self._dropped: list[tuple[str, str, list[str]]] = []  # name, definition, statistics targets
        self._dropped_keys: list[tuple[str, str, str]] = []

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
        if isinstance(rows, CopyText):
            if not self.postgres:
                raise ValueError("COPY text only loads into PostgreSQL")
            if rows:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy,
                ):
                    copy.write(rows)
            return
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

        Unique indexes, primary keys and anything backing a constraint stay, and so do partial indexes: they
        are small, and rebuilt from `pg_get_indexdef` their `IN (…)` condition comes back cast differently. Everything runs inside the
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
                      AND i.indpred IS NULL
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                    ORDER BY 1
                    """,
                    [model._meta.db_table],
                )
                for name, definition in cursor.fetchall():
                    # Per-column statistics targets of an index (ALTER INDEX … SET STATISTICS) are not part
                    # of its definition: keep them to set again after the rebuild.
                    cursor.execute(
                        "SELECT attnum, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass "
                        "AND attstattarget > 0 ORDER BY attnum",
                        [name],
                    )
                    statistics = [
                        f"ALTER INDEX {name} ALTER COLUMN {number} SET STATISTICS {target}"
                        for number, target in cursor.fetchall()
                    ]
                    cursor.execute(f"DROP INDEX {name}")
                    self._dropped.append((name, definition, statistics))
                    names.append(name)
        return names

    def defer_foreign_keys(self, model_list: Sequence[type[models.Model]]) -> list[str]:
        """PostgreSQL only: drop the foreign keys of these tables before a bulk load; `restore_indexes` re-adds them.

        Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every COPYed row would queue a check until
        commit (tens of millions of them at bench scale), and a table with queued checks cannot be indexed.
        Re-adding a constraint checks every row in one join instead.
        """
        if not self.postgres:
            return []
        names: list[str] = []
        with connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(
                    """
                    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
                    """,
                    [model._meta.db_table],
                )
                table = self.qn(model._meta.db_table)
                for name, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {self.qn(name)}")
                    self._dropped_keys.append((table, name, definition))
                    names.append(name)
        return names

    def restore_indexes(self) -> int:
        """Recreate what `defer_indexes` and `defer_foreign_keys` dropped; returns how many."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition, statistics in self._dropped:
                for statement in (definition, *statistics):
                    cursor.execute(statement)
            for table, name, definition in self._dropped_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {self.qn(name)} {definition}")
        restored = len(self._dropped) + len(self._dropped_keys)
        self._dropped = []
        self._dropped_keys = []
        return restored
