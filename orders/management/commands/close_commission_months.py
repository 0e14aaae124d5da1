"""`manage.py close_commission_months`: beat's monthly close, once, for a portal that runs without beat.

`make run` serves the demo with no Celery beat; it runs this before the server, so a month that ended since
the last run is closed and awaits the store's review (approve or dispute, then head office finalises). The
same service as beat's hourly task (`orders.tasks_commissions.close_statements`), so it is safe to run any
number of times.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from orders.commissions.statements import statements_close_ended_months


class Command(BaseCommand):
    help = "Close every commission month that has ended (what beat does hourly); safe to run any number of times."

    def handle(self, *args: object, **options: object) -> None:
        closed = statements_close_ended_months()
        self.stdout.write(f"{closed} commission statements closed: their months have ended and await review.")
