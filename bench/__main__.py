"""`make bench` (`.venv/bin/python -m bench`): hot-path figures beside the raw SQL of the same work.

Needs PostgreSQL in DATABASE_URL. Seeds bench-scale data when the database lacks it
(`manage.py seed_demo --scale bench`), serves the portal with gunicorn on a free loopback port, runs every
`bench/bench_*.py` module's `run(ctx)` (see bench/core.py), prints a table and writes bench/results.json.

    .venv/bin/python -m bench                      # full run on seed_demo --scale bench data
    .venv/bin/python -m bench --scale small --quick  # a short smoke run
    .venv/bin/python -m bench --skip-seed --only api
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TOKEN_NAME = "bench-harness"

# What "the database already has bench data" means: SPEC section 5's catalogue and network sizes.
SCALE_MINIMUM = {"bench": {"products": 20_000, "locations": 500}, "small": {"products": 1, "locations": 1}}


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALE_MINIMUM), default="bench")
    parser.add_argument("--skip-seed", action="store_true", help="never run seed_demo, use the data as it is")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (ctx.repeat divides n by 10)")
    parser.add_argument("--only", nargs="*", default=None, help="module topics to run, e.g. api orders")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--output", default=str(BENCH_DIR / "results.json"))
    return parser.parse_args(argv)


def _server_environment() -> dict[str, str]:
    """Production settings (DEBUG off) except what needs TLS, which a loopback benchmark does not have."""
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    # Confirmation emails are still built and sent through Django's mail API, into a backend that drops them:
    # the console backend would print thousands of them among the figures.
    env.setdefault("EMAIL_URL", "dummymail://")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "omniportal.settings",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            # The benchmark drives one token far harder than any integrator is allowed to.
            "API_THROTTLE_RATE": "100000000/min",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    print("$", shlex.join(command[1:]), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def _needs_seed(scale: str) -> bool:
    from inventory.models import Product
    from omniportal.models import Location

    minimum = SCALE_MINIMUM[scale]
    return Product.objects.count() < minimum["products"] or Location.objects.count() < minimum["locations"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [
        str(VENV_BIN / "gunicorn"),
        "omniportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    print("$", shlex.join(command), flush=True)
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if requests.get(base_url + "/healthz", timeout=10).status_code == 200:
                return server, base_url
        except requests.RequestException:
            pass
        time.sleep(0.3)
    _stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _start_worker(env: dict[str, str]) -> subprocess.Popen:
    command = [str(VENV_BIN / "celery"), "-A", "omniportal", "worker", "--loglevel", "warning", "--concurrency", "1"]
    print("$", shlex.join(command), flush=True)
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def _drain(redis_url: str, timeout: float = 120) -> None:
    """Wait until the worker has taken every queued task and finished it (kombu's queue and unacked set empty):
    a backlog left by an earlier run would otherwise take CPU from the pages being measured. Gives up with a
    warning after `timeout` seconds, or at once if Redis does not answer."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    deadline = time.monotonic() + timeout
    try:
        while client.llen("celery") or client.hlen("unacked"):
            if time.monotonic() > deadline:
                left = client.llen("celery") + client.hlen("unacked")
                print(f"warning: {left} Celery tasks still queued or running after {timeout:.0f} s", flush=True)
                return
            time.sleep(0.5)
    except redis.RedisError as exc:
        print(f"warning: cannot see the Celery queue ({exc})", flush=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _bench_token() -> str:
    from omniportal.models import IntegrationToken, TokenScope
    from omniportal.services import integration_token_create

    IntegrationToken.objects.filter(name=TOKEN_NAME).delete()
    _token, key = integration_token_create(name=TOKEN_NAME, scopes=TokenScope.values)
    return key


def _modules(only: list[str] | None) -> list[str]:
    topics = sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))
    if only:
        unknown = sorted(set(only) - set(topics))
        if unknown:
            raise SystemExit(f"No bench module for {', '.join(unknown)}; have {', '.join(topics)}")
        topics = [t for t in topics if t in only]
    return topics


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("make bench needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    env = _server_environment()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    _manage(env, "migrate", "--no-input", "-v", "0")
    if _needs_seed(args.scale):
        if args.skip_seed:
            print(f"warning: the database lacks {args.scale}-scale data; running on what is there", flush=True)
        else:
            _manage(env, "seed_demo", "--scale", args.scale)
    _manage(env, "collectstatic", "--no-input", "-v", "0")

    from bench.core import BenchContext

    api_key = _bench_token()
    server, base_url = _start_gunicorn(env, args.workers)
    print(f"serving on {base_url} with {args.workers} workers", flush=True)
    # As deployed: requests enqueue Celery tasks (crediting, emails) on Redis and a worker runs them. Without
    # REDIS_URL every task runs eagerly inside the request that sends it, and the figures say so.
    worker = _start_worker(env) if env.get("REDIS_URL", "").startswith("redis://") else None
    celery = "Redis and 1 worker" if worker is not None else "none: tasks run eagerly inside each request"
    print(f"Celery: {celery}", flush=True)
    ctx = BenchContext(base_url=base_url, api_key=api_key, scale=args.scale, quick=args.quick)
    failed: list[str] = []
    try:
        if worker is not None:
            _drain(env["REDIS_URL"])
        for topic in _modules(args.only):
            ctx.module = topic
            print(f"\n== bench_{topic} ==", flush=True)
            try:
                importlib.import_module(f"bench.bench_{topic}").run(ctx)
            except Exception:
                failed.append(topic)
                traceback.print_exc()
    finally:
        _stop(server)
        if worker is not None:
            try:
                _drain(env["REDIS_URL"])  # the tasks the measured requests sent: credited before the next run
            finally:
                _stop(worker)
        from omniportal.models import IntegrationToken

        IntegrationToken.objects.filter(name=TOKEN_NAME).delete()

    print("\n" + ctx.table())
    command = shlex.join(["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])])
    ctx.write_json(
        args.output,
        command=command,
        started_at=started_at,
        extra={"workers": args.workers, "celery": celery, "failed": failed},
    )
    print(f"\nwrote {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
