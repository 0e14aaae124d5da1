"""`make load` (`.venv/bin/python -m bench.load`): 200 store associates and the website, for 5 minutes.

Runs against the real stack on this machine, loopback only: gunicorn (production settings), PostgreSQL
(DATABASE_URL), Redis (REDIS_URL) and a Celery worker. Uses the data already in the database: run
`seed_demo` (any scale) first. Prints requests/s, p50/p95 and errors per route, and writes locust's CSV
files next to `--output`.

    .venv/bin/python -m bench.load                        # 200 associates + 4 website senders, 5 minutes
    .venv/bin/python -m bench.load --users 50 --duration 1m
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.__main__ import ROOT, VENV_BIN, _manage, _server_environment, _start_gunicorn, _start_worker, _stop

PAGE_TARGET_MS = 200
CUSTOMERS_PER_STORE = 2_000
LOAD_TOKEN = "load-test"


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated store associates (default 200)")
    parser.add_argument("--duration", default="5m", help="locust run time, e.g. 5m or 90s (default 5m)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--output", default=str(ROOT / "bench" / "load"), help="prefix of the CSV files")
    return parser.parse_args(argv)


def _fixtures(base_url: str, users: int) -> dict:
    """Signed-in sessions for the demo associates and managers, and what they will look up."""
    from django.conf import settings

    from bench.core import BenchContext
    from clienteling.models import Customer
    from inventory.models import Product, StockLevel
    from omniportal.models import IntegrationToken, StaffProfile, TokenScope
    from omniportal.services import integration_token_create

    ctx = BenchContext(base_url=base_url, api_key="", scale="load")
    people = list(
        StaffProfile.objects.filter(role__in=["associate", "manager"], stores__isnull=False)
        .select_related("user")
        .prefetch_related("stores")
        .distinct()
    )
    if not people:
        raise SystemExit("no store staff: run `manage.py seed_demo` first")
    home = {p.pk: min(p.stores.all(), key=lambda s: s.code) for p in people}  # each person's first store
    stores = sorted(set(home.values()), key=lambda s: s.code)
    customers = {
        store.code: [
            {
                "id": c.pk,
                "query": f"{c.last_name} {c.first_name}".lower(),
                "address": {
                    "name": f"{c.first_name} {c.last_name}",
                    "line1": c.address_line1,
                    "city": c.city,
                    "postal_code": c.postal_code,
                    "country": c.country,
                },
            }
            for c in Customer.objects.filter(nearest_store=store, erased_at=None, consent_clienteling=True)
            .exclude(address_line1="")
            .exclude(city="")
            .exclude(postal_code="")
            .order_by("pk")[:CUSTOMERS_PER_STORE]
        ]
        for store in stores
    }
    # One signed-in session per simulated associate, each with customers of its own: two tablets never build
    # and place the same customer's basket at the same moment (a real store would not either).
    associates = []
    staff_of_store = Counter(store.code for store in home.values())
    seats = {code: -(-users * n // len(people)) for code, n in staff_of_store.items()}  # users per store, rounded up
    taken: Counter = Counter()
    for index in range(users):
        profile = people[index % len(people)]
        store = home[profile.pk]
        session = ctx.login(profile.user.username, store_code=store.code)
        mine = customers[store.code][taken[store.code] :: seats[store.code]]  # every seats-th: disjoint slices
        taken[store.code] += 1
        associates.append(
            {
                "session": session.cookies.get(settings.SESSION_COOKIE_NAME),
                "csrf": session.cookies.get(settings.CSRF_COOKIE_NAME),
                "store": store.code,
                "customers": mine,
            }
        )
    in_stock = StockLevel.objects.filter(location__kind="warehouse", on_hand__gte=100).values_list(
        "product__sku", flat=True
    )
    IntegrationToken.objects.filter(name=LOAD_TOKEN).delete()
    _token, key = integration_token_create(name=LOAD_TOKEN, scopes=TokenScope.values)
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "associates": associates,
        "skus": list(Product.objects.order_by("pk").values_list("sku", flat=True)[:2000]),
        "order_skus": list(in_stock.order_by("product_id").distinct()[:500]),
        "external_ids": list(Customer.objects.order_by("pk").values_list("external_id", flat=True)[:5000]),
        "api_key": key,
    }


def _report(prefix: str) -> int:
    """Print locust's per-route figures; returns the number of failed requests."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\n{'route':<36} {'requests':>9} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>8}")
    failures = 0
    for row in rows:
        total = row["Name"] == "Aggregated"
        failures += 0 if total else int(row["Failure Count"])
        print(
            f"{'ALL' if total else (row['Type'] + ' ' + row['Name'])[:36]:<36} {int(row['Request Count']):>9,} "
            f"{int(row['Failure Count']):>6} {float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7} "
            f"{float(row['Max Response Time']):>8.0f}"
        )
    return failures


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("make load needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        print("make load needs Redis and a real worker: set REDIS_URL=redis://…", file=sys.stderr)
        return 2
    env = _server_environment()
    env["API_THROTTLE_RATE"] = "100000/min"  # four website senders share one token
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    server, base_url = _start_gunicorn(env, args.workers)
    worker = _start_worker(env)
    handle, fixtures_path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fixtures_file:
            json.dump(_fixtures(base_url, args.users), fixtures_file)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "--host", base_url, "--users", str(args.users + 4), "--spawn-rate", "20", "--run-time", args.duration,
            "--csv", args.output, "--only-summary", "--stop-timeout", "10",
        ]  # fmt: skip
        print("$", shlex.join(command), flush=True)
        started = time.monotonic()
        subprocess.run(command, env={**env, "LOAD_FIXTURES": fixtures_path}, cwd=ROOT, check=False)
        print(
            f"\nran {time.monotonic() - started:.0f} s against {base_url} ({args.workers} gunicorn workers, 1 Celery worker)"
        )
        failures = _report(args.output)
        print(f"\nfailed requests: {failures}; page target: p95 ≤ {PAGE_TARGET_MS} ms")
        return 1 if failures else 0
    finally:
        os.unlink(fixtures_path)
        _stop(server)
        _stop(worker)
        from omniportal.models import IntegrationToken

        IntegrationToken.objects.filter(name=LOAD_TOKEN).delete()


if __name__ == "__main__":
    sys.exit(main())
