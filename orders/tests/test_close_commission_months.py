"""`manage.py close_commission_months`: what `make run` does in place of beat's hourly close."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from orders.commissions.periods import current_period, previous_month
from orders.models import Statement, StatementStatus

pytestmark = pytest.mark.django_db


def test_it_closes_every_ended_month_through_beats_service_and_is_safe_to_repeat(store_milano, store_roma):
    this_month = current_period()
    last_month = previous_month(this_month)
    older = Statement.objects.create(store=store_milano, period=previous_month(last_month))
    running = Statement.objects.create(store=store_milano, period=this_month)

    out = StringIO()
    call_command("close_commission_months", stdout=out)

    older.refresh_from_db()
    running.refresh_from_db()
    assert older.status == StatementStatus.CLOSED and running.status == StatementStatus.OPEN
    # Every commission-eligible store has last month's statement, awaiting its review.
    assert set(Statement.objects.filter(period=last_month).values_list("store__code", "status")) == {
        ("MI01", StatementStatus.CLOSED),
        ("RM01", StatementStatus.CLOSED),
    }
    assert out.getvalue().startswith("3 commission statements closed")
    again = StringIO()
    call_command("close_commission_months", stdout=again)
    assert again.getvalue().startswith("0 commission statements closed")
