"""The machine the figures were taken on, measured in the same run: figures from two machines compare only
through these.

- one PostgreSQL round trip (`SELECT 1` on the harness's connection): the floor of every query;
- one CPU-bound Python loop: what every line of Django, the ORM and the templates costs here;
- the server settings that change the figures (autovacuum, shared_buffers, work_mem).
"""

from __future__ import annotations

import os
import platform


def _python_loop() -> None:
    sum(i * i for i in range(100_000))


def run(ctx) -> None:
    with ctx.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('autovacuum'),"
            " current_setting('shared_buffers'), current_setting('work_mem')"
        )
        version, autovacuum, shared_buffers, work_mem = cursor.fetchone()
    ctx.note(
        "machine",
        cpus=os.cpu_count(),
        python=platform.python_version(),
        postgresql=version,
        autovacuum=autovacuum,
        shared_buffers=shared_buffers,
        work_mem=work_mem,
    )

    def select_one() -> None:
        with ctx.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    ctx.measure("PostgreSQL round trip: SELECT 1", select_one, ctx.repeat(2000), raw_sql=("SELECT 1", None))
    ctx.measure("Python: sum of 100,000 squares", _python_loop, ctx.repeat(200))
