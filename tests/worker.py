"""A REAL Celery worker for tests: `celery -A omniportal worker` in a subprocess, on the test database.

Use the `real_worker` fixture (one worker, started and stopped around the test) or `CeleryWorker`
directly to start several, kill one with SIGKILL and start another. The worker runs the production
settings module with the test database's name in DATABASE_URL and this process's REDIS_URL, so a test
needs PostgreSQL (the worker cannot see an in-memory SQLite database) and Redis; otherwise it is skipped.
The test must be `django_db(transaction=True)`: the worker only sees committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from omniportal.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0


def require_worker_environment() -> None:
    """Skip (with the reason) unless PostgreSQL and Redis are both configured."""
    if connection.vendor != "postgresql":
        pytest.skip("a real Celery worker needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if not settings.REDIS_URL:
        pytest.skip("a real Celery worker needs Redis (set REDIS_URL)")


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def purge_broker() -> None:
    """Empty our Redis database (queues and unacknowledged messages left by earlier, killed workers)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def queue_length(queue: str = "celery") -> int:
    return redis.Redis.from_url(settings.REDIS_URL).llen(queue)


class CeleryWorker:
    """One `celery -A omniportal worker` process (solo pool: one process, so SIGKILL kills all of it)."""

    def __init__(self, name: str = "test", *, extra_env: dict[str, str] | None = None) -> None:
        self.name = name
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix=f"celery-{name}-", suffix=".log")[1])

    def start(self) -> CeleryWorker:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "omniportal.settings",
                "DATABASE_URL": worker_database_url(),
                "REDIS_URL": settings.REDIS_URL,
                "DEBUG": "true",
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                **self.extra_env,
            }
        )
        command = [
            sys.executable, "-m", "celery", "-A", "omniportal", "worker", "--pool=solo", "--loglevel=INFO",
            "--hostname", f"{self.name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        handle = self.log.open("ab")
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the Celery worker was not ready within {READY_TIMEOUT}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement of the task in hand."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition, *, timeout: float = 120.0, interval: float = 0.05, message: str = "condition") -> None:
    """Poll `condition()` until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"timed out waiting for {message}")


@pytest.fixture
def real_broker():
    """Producers in this process publish to Redis instead of running tasks eagerly (test settings)."""
    require_worker_environment()

    purge_broker()
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.task_always_eager = saved


@pytest.fixture
def real_worker(real_broker) -> Iterator[CeleryWorker]:
    worker = CeleryWorker().start()
    try:
        yield worker
    finally:
        worker.stop()
