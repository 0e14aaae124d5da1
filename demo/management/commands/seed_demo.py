from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.generate import SCALES
from demo.load import Progress
from demo.seed import DEMO_PASSWORD, DEMO_PIN, DatabaseNotEmpty, database_has_business_data, demo_seed
from insights.facts import insight_days_rebuild, local_today
from orders.commissions.ledger import commissions_sweep
from orders.commissions.statements import statements_close_ended_months

# The demo's online and in-store history reaches about 120 days back; build facts for all of it.
DERIVED_HISTORY_DAYS = 130


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise CommandError(f"--seed must be a whole number, not {text!r}.") from exc
    if not 0 <= value < 2**63:
        raise CommandError("--seed must be between 0 and 2^63 - 1.")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise CommandError(f"--workers must be a whole number, not {text!r}.") from exc
    if not 1 <= value <= 64:
        raise CommandError("--workers must be between 1 and 64.")
    return value


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO-8601 timestamp, not {text!r}.") from exc
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Load a deterministic demo network (stores, catalogue, stock, customers and their online and in-store "
        "activity) into an empty database, and print the demo sign-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small", help="Data volume (default small).")
        parser.add_argument("--seed", type=_non_negative_int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--now",
            type=_moment,
            help="Pretend it is this moment (ISO-8601). The same seed, scale and --now always give the same data.",
        )
        parser.add_argument(
            "--workers",
            type=_workers,
            help="Processes generating customers' activity (default: one per CPU at bench scale, else 1). "
            "The data does not depend on it.",
        )
        parser.add_argument(
            "--skip-derived",
            action="store_true",
            help="Do not credit commissions, close ended commission months nor build insight facts afterwards "
            "(always skipped at bench scale).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (exit 0, no output) when the database already has business data.",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["if_empty"] and database_has_business_data():
            return
        now = options["now"] or timezone.now()
        started = time.monotonic()
        # The raw stream: Django's stderr wrapper would paint the progress bar in the error colour.
        progress = Progress(self.stderr._out, tty=self.stderr.isatty())
        try:
            scale = str(options["scale"])
            workers = options["workers"] or ((os.cpu_count() or 1) if scale == "bench" else 1)
            result = demo_seed(scale=scale, seed=int(options["seed"]), now=now, progress=progress, workers=workers)
        except DatabaseNotEmpty as exc:
            raise CommandError(
                f"{exc} seed_demo only loads an empty database (use --if-empty to skip quietly)."
            ) from exc
        if result.scale != "bench" and not options["skip_derived"]:
            self._derive(result.anchor, now)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo data ({result.scale}, seed {result.seed}, history up to {result.anchor:%Y-%m-%d %H:%M} UTC) "
            f"loaded in {elapsed:.1f} s:"
        )
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<22} {count:>12,}")
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}, PIN {DEMO_PIN}):")
        for username, role, stores, *_names in result.people:
            where = ", ".join(stores) if stores else "all stores"
            self.stdout.write(f"  {username:<14} {role.label:<16} {where}")

    def _derive(self, anchor: datetime, now: datetime) -> None:
        """What the worker and beat would have done by now: commissions credited, ended months closed (awaiting
        the stores' review), insight facts built.

        Skipped at bench scale, whose benchmarks measure exactly this work on uncredited data.
        """
        self.stderr.write("crediting commissions (the beat sweep) …")
        swept = commissions_sweep(grace=timedelta(0))
        self.stderr.write(f"  {swept.orders_attempted:,} orders credited or held, {swept.reversals:,} reversals")
        # Beat's hourly close, at the moment the demo pretends it is: every month before it awaits review.
        closed = statements_close_ended_months(now=now)
        self.stderr.write(f"closing ended commission months (the beat's monthly close): {closed:,} statements")
        yesterday = local_today() - timedelta(days=1)
        first_day = min(yesterday, (anchor - timedelta(days=DERIVED_HISTORY_DAYS)).date())
        self.stderr.write(f"building insight facts {first_day} … {yesterday} (the nightly job) …")
        insight_days_rebuild(date_from=first_day, date_to=yesterday)
