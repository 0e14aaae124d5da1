"""The `make bench` context: what every `bench/bench_<topic>.py` module's `run(ctx)` receives.

Contract (stable; other engineers write modules against it):

- `ctx.base_url` — "http://127.0.0.1:<port>" of the gunicorn serving `omniportal.wsgi:application`
  (DEBUG off, production settings except TLS-only cookies/redirects, throttling lifted).
- `ctx.api_key` / `ctx.api_headers` — a bench integration token with every scope:
  `{"Authorization": "Token …", "Content-Type": "application/json"}`.
- `ctx.http` — a keep-alive `requests.Session` already carrying `ctx.api_headers`.
- `ctx.login(username, *, store_code=None) -> requests.Session` — a keep-alive session signed in as that
  (demo) user, without knowing their password: the harness writes a real Django session for the user.
  POSTs work: the session carries a CSRF cookie and the matching `X-CSRFToken` header.
  `store_code` picks the current store (otherwise the person's first store).
- `ctx.url(path)` — `base_url + path`.
- `ctx.measure(name, fn, n, *, raw_sql=None, items=1, warmup=2, target=None) -> Measurement` — calls `fn()`
  `warmup` times unmeasured then `n` times, records each call's wall time: p50, p95 (ms) and throughput
  (`items` per call, so a 5,000-event batch passes `items=5000`). When the calls go through `ctx.http` or a
  `ctx.login()` session, the server time of each call (the sum of its responses' `Server-Timing: app;dur=`,
  written by omniportal.middleware.ServerTimingMiddleware: Django's own time, without network and client)
  is recorded too: columns "srv p50"/"srv p95", and "srv×raw" = server p95 ÷ raw p95. Requests sent from
  other threads (concurrent measurements) are not counted, so those rows have no server time. `raw_sql` is the raw PostgreSQL
  figure of the same work measured in the same run: either `(sql, params)` executed `n` times on the
  harness's own connection (rows fetched), or a callable taking a DB-API cursor (do the raw work once
  per call, e.g. a COPY). `target` is free text printed beside the figure ("p95 ≤ 15 ms").
  `fn` may raise to fail the measurement: the error is recorded, the run goes on.
- `ctx.note(name, text=None, **values)` — a fact worth printing (data sizes, rows affected).
- `ctx.cursor()` — a cursor on the harness's own Django connection (PostgreSQL), for setup and checks.
- `ctx.scale` — the seed scale ("bench" or "small"); `ctx.quick` — True for a short run (fewer repetitions).
- `ctx.repeat(n)` — n, divided by 10 (at least 5) on a quick run: use it for your `n`.

Django is set up in the harness process (same DATABASE_URL), so modules may also use the ORM to pick
fixtures (a busy SKU, a customer with a cart). Every HTTP call should check its status (`ctx.check(resp)`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import statistics
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import requests


class BenchError(RuntimeError):
    """A measured call did not do what it should (wrong status, wrong answer)."""


@dataclass
class Timing:
    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    total_s: float
    per_second: float  # items per second over the n measured calls

    @classmethod
    def from_samples(cls, samples: list[float], items: int) -> Timing:
        ordered = sorted(samples)
        total = sum(ordered)
        return cls(
            n=len(ordered),
            p50_ms=round(_percentile(ordered, 50) * 1000, 3),
            p95_ms=round(_percentile(ordered, 95) * 1000, 3),
            mean_ms=round(statistics.fmean(ordered) * 1000, 3),
            total_s=round(total, 4),
            per_second=round(len(ordered) * items / total, 1) if total > 0 else math.inf,
        )


def _percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: every reported figure was actually observed)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measurement:
    name: str
    module: str
    items_per_call: int
    api: Timing | None = None
    raw: Timing | None = None
    server: Timing | None = None  # Server-Timing of the same calls, when the server sent it
    target: str | None = None
    error: str | None = None

    @property
    def server_ratio_p95(self) -> float | None:
        if self.server and self.raw and self.raw.p95_ms > 0:
            return round(self.server.p95_ms / self.raw.p95_ms, 2)
        return None

    @property
    def ratio_p95(self) -> float | None:
        if self.api and self.raw and self.raw.p95_ms > 0:
            return round(self.api.p95_ms / self.raw.p95_ms, 2)
        return None

    @property
    def throughput_share(self) -> float | None:
        """API throughput as a share of the raw throughput (e.g. API events/s ÷ COPY rows/s)."""
        if self.api and self.raw and self.raw.per_second:
            return round(self.api.per_second / self.raw.per_second, 3)
        return None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio_p95"] = self.ratio_p95
        data["server_ratio_p95"] = self.server_ratio_p95
        data["throughput_share"] = self.throughput_share
        return data


@dataclass
class Note:
    name: str
    module: str
    text: str | None
    values: dict[str, Any] = field(default_factory=dict)


class BenchContext:
    def __init__(self, *, base_url: str, api_key: str, scale: str, quick: bool = False, connection: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.api_headers = {"Authorization": f"Token {api_key}", "Content-Type": "application/json"}
        self._server_ms: list[float] = []  # Server-Timing durations of the responses of the call being timed
        self._measuring_thread = threading.get_ident()
        self.http = self._session()
        self.http.headers.update(self.api_headers)
        self.scale = scale
        self.quick = quick
        self.measurements: list[Measurement] = []
        self.notes: list[Note] = []
        self.module = ""
        self._connection = connection

    # -- HTTP -------------------------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = requests.Session()
        session.hooks["response"].append(self._record_server_timing)
        return session

    def _record_server_timing(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Only the measuring thread's own requests: the server times of concurrent requests would add up to
        # more than the wall time they overlap in, so concurrent measurements report no server time.
        if threading.get_ident() != self._measuring_thread:
            return
        for part in response.headers.get("Server-Timing", "").split(","):
            name, _, params = part.strip().partition(";")
            if name == "app" and params.startswith("dur="):
                with contextlib.suppress(ValueError):
                    self._server_ms.append(float(params[4:]))

    def url(self, path: str) -> str:
        return self.base_url + path

    @staticmethod
    def check(response: requests.Response, *expected: int) -> requests.Response:
        wanted = expected or (200,)
        if response.status_code not in wanted:
            raise BenchError(
                f"{response.request.method} {response.url} → {response.status_code}: {response.text[:300]}"
            )
        return response

    def login(self, username: str, *, store_code: str | None = None) -> requests.Session:
        """A session signed in as `username`, made by writing a Django session (no password needed)."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.middleware.csrf import _get_new_csrf_string
        from django.utils.module_loading import import_string

        user = get_user_model().objects.get(username=username)
        store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if store_code is not None:
            from omniportal.middleware import SESSION_STORE_KEY
            from omniportal.models import Location

            store[SESSION_STORE_KEY] = Location.objects.get(code=store_code).pk
        store.create()
        session = self._session()
        csrf = _get_new_csrf_string()
        session.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
        session.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
        session.headers.update({"X-CSRFToken": csrf, "Referer": self.base_url + "/"})
        return session

    # -- database ---------------------------------------------------------------------------------------
    def cursor(self):
        if self._connection is None:
            from django.db import connection

            self._connection = connection
        return self._connection.cursor()

    # -- measuring --------------------------------------------------------------------------------------
    def repeat(self, n: int) -> int:
        return max(5, n // 10) if self.quick else n

    def measure(
        self,
        name: str,
        fn: Callable[[], Any],
        n: int,
        *,
        raw_sql: tuple[str, Any] | Callable[[Any], Any] | None = None,
        items: int = 1,
        warmup: int = 2,
        target: str | None = None,
    ) -> Measurement:
        measurement = Measurement(name=name, module=self.module, items_per_call=items, target=target)
        self.measurements.append(measurement)
        try:
            server: list[float] = []

            def call() -> None:
                self._server_ms.clear()
                fn()
                if self._server_ms:
                    server.append(sum(self._server_ms) / 1000)

            measurement.api = Timing.from_samples(_time_calls(call, n, warmup), items)
            # Only when every measured call reported it (warm-up calls are the first `warmup` samples).
            if len(server) == n + warmup:
                measurement.server = Timing.from_samples(server[warmup:], items)
            if raw_sql is not None:
                measurement.raw = Timing.from_samples(self._time_raw(raw_sql, n, warmup), items)
        except Exception as exc:  # a failed measurement is reported, the other modules still run
            measurement.error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        print(_format_row(measurement), flush=True)
        return measurement

    def _time_raw(self, raw_sql: tuple[str, Any] | Callable[[Any], Any], n: int, warmup: int) -> list[float]:
        with self.cursor() as cursor:
            if callable(raw_sql):
                return _time_calls(lambda: raw_sql(cursor), n, warmup)
            sql, params = raw_sql

            def run() -> None:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()

            return _time_calls(run, n, warmup)

    def note(self, name: str, text: str | None = None, **values: Any) -> None:
        self.notes.append(Note(name=name, module=self.module, text=text, values=values))
        details = ", ".join(f"{k}={v}" for k, v in values.items())
        print(f"  · {name}: {text or ''}{' ' if text and details else ''}{details}", flush=True)

    # -- output -----------------------------------------------------------------------------------------
    def table(self) -> str:
        header = (
            f"{'module':<14} {'measurement':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'per s':>11} "
            f"{'srv p50':>9} {'srv p95':>9} {'raw p50':>9} {'raw p95':>9} {'raw/s':>11} {'p95×raw':>8} "
            f"{'srv×raw':>8} {'share':>6}  target"
        )
        lines = [header, "-" * len(header)]
        lines += [_format_row(m) for m in self.measurements]
        return "\n".join(lines)

    def results(self, *, command: str, started_at: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "command": command,
            "started_at": started_at,
            "scale": self.scale,
            "quick": self.quick,
            "machine": machine_info(self),
            "measurements": [m.as_dict() for m in self.measurements],
            "notes": [asdict(n) for n in self.notes],
            **(extra or {}),
        }

    def write_json(self, path: str, **kwargs: Any) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.results(**kwargs), fh, indent=2, default=str)


def _time_calls(fn: Callable[[], Any], n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _fmt(value: float | None, width: int) -> str:
    if value is None:
        return " " * (width - 1) + "–"
    return f"{value:>{width},.1f}" if value >= 100 else f"{value:>{width}.2f}"


def _format_row(m: Measurement) -> str:
    if m.error:
        return f"{m.module:<14} {m.name[:44]:<44} FAILED: {m.error[:200]}"
    api, raw, srv = m.api, m.raw, m.server
    return (
        f"{m.module:<14} {m.name[:44]:<44} {api.n if api else 0:>5} {_fmt(api and api.p50_ms, 9)} "
        f"{_fmt(api and api.p95_ms, 9)} {_fmt(api and api.per_second, 11)} {_fmt(srv and srv.p50_ms, 9)} "
        f"{_fmt(srv and srv.p95_ms, 9)} {_fmt(raw and raw.p50_ms, 9)} "
        f"{_fmt(raw and raw.p95_ms, 9)} {_fmt(raw and raw.per_second, 11)} {_fmt(m.ratio_p95, 8)} "
        f"{_fmt(m.server_ratio_p95, 8)} {_fmt(m.throughput_share, 6)}  {m.target or ''}"
    )


def machine_info(ctx: BenchContext | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            info["memory_kb"] = int(fh.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    if ctx is not None:
        try:
            with ctx.cursor() as cursor:
                cursor.execute("SELECT version()")
                info["database"] = cursor.fetchone()[0]
        except Exception as exc:  # the figure is informative only
            info["database"] = f"unknown ({exc})"
    return info
