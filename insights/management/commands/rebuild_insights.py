"""Rebuild the insight facts for a date range: `manage.py rebuild_insights --from 2026-01-01 --to 2026-03-31`."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insights.facts import MAX_PERIOD_DAYS, days_between, insight_day_rebuild, local_today

# Older days have no online carts to speak of, and day arithmetic near year 1 would overflow.
EARLIEST_DAY = date(2000, 1, 1)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Rebuild the omnichannel insight facts for each day of a range (default: yesterday)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (default: --from)")
        parser.add_argument(
            "--days", type=int, help="instead of --from: the last N days up to yesterday (the nightly refresh)"
        )

    def handle(self, *args: object, **options: object) -> None:
        yesterday = local_today() - timedelta(days=1)
        if options["days"] is not None:
            if options["date_from"] or options["date_to"]:
                raise CommandError("Give either --days or --from/--to, not both.")
            if not 1 <= options["days"] <= MAX_PERIOD_DAYS:
                raise CommandError(f"--days must be between 1 and {MAX_PERIOD_DAYS}.")
            date_from, date_to = yesterday - timedelta(days=options["days"] - 1), yesterday
        else:
            # One bound alone means that single day.
            given_from = _date(options["date_from"]) if options["date_from"] else None
            given_to = _date(options["date_to"]) if options["date_to"] else None
            date_from = given_from or given_to or yesterday
            date_to = given_to or given_from or yesterday
        if date_from < EARLIEST_DAY:
            raise CommandError(f"Facts start at {EARLIEST_DAY.isoformat()} at the earliest.")
        if date_from > date_to:
            raise CommandError("--from must not be after --to.")
        if date_to > local_today():
            raise CommandError("Facts are built for days that have started: --to must not be after today.")
        if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
            raise CommandError(f"At most {MAX_PERIOD_DAYS} days at a time.")
        total = 0.0
        for day in days_between(date_from, date_to):
            built = insight_day_rebuild(day=day)
            total += built.seconds
            self.stdout.write(f"{day.isoformat()}  {built.seconds:7.2f} s")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {(date_to - date_from).days + 1} day(s) in {total:.1f} s."))
