"""The nightly job and the rebuild command: both call the one day-rebuild service."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from insights.facts import insight_days_to_refresh, local_today, max_window_days
from insights.models import CartDayFact, InsightDay, RopoDayFact
from insights.tasks import insights_nightly, insights_rebuild_day

from .scenario import at, cart, customer_near, sale

pytestmark = pytest.mark.django_db


def test_nightly_refresh_covers_every_day_a_late_purchase_can_still_change():
    days = insight_days_to_refresh(today=local_today())

    assert days[-1] == local_today() - timedelta(days=1)
    assert days[0] == local_today() - timedelta(days=max_window_days() + 1)


def test_nightly_task_builds_the_recent_days_and_twice_means_once(store_milano):
    shopper = customer_near(store_milano, 3.0)
    day = local_today() - timedelta(days=5)
    cart(shopper, at(day, 10))
    sale(shopper, store_milano, at(day + timedelta(days=1)))

    insights_nightly.delay()
    insights_nightly.delay()

    assert InsightDay.objects.count() == len(insight_days_to_refresh())
    assert CartDayFact.objects.get(day=day).abandoned == 1
    assert RopoDayFact.objects.get(day=day).carts == 1


def test_day_task_takes_an_iso_date(store_milano):
    cart(customer_near(store_milano, 3.0), at(local_today() - timedelta(days=2)))

    insights_rebuild_day.delay((local_today() - timedelta(days=2)).isoformat())
    insights_rebuild_day.delay((local_today() - timedelta(days=2)).isoformat())

    assert CartDayFact.objects.get().carts == 1


def test_beat_runs_the_nightly_job():
    entry = settings.CELERY_BEAT_SCHEDULE["insights-nightly"]
    assert entry["task"] == insights_nightly.name


def test_command_rebuilds_a_range(store_milano):
    first = local_today() - timedelta(days=3)
    cart(customer_near(store_milano, 3.0), at(first))
    out = StringIO()

    call_command(
        "rebuild_insights", "--from", first.isoformat(), "--to", (first + timedelta(days=1)).isoformat(), stdout=out
    )

    assert InsightDay.objects.count() == 2
    assert CartDayFact.objects.get(day=first).carts == 1
    assert "Rebuilt 2 day(s)" in out.getvalue()


def test_command_days_option_ends_yesterday():
    call_command("rebuild_insights", "--days", "3", stdout=StringIO())

    assert sorted(InsightDay.objects.values_list("day", flat=True)) == [
        local_today() - timedelta(days=offset) for offset in (3, 2, 1)
    ]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--from", "2026-02-30"],
        ["--from", "not-a-date"],
        ["--from", "2026-10-10", "--to", "2026-10-01"],
        ["--from", "2099-01-01"],
        ["--from", "2000-01-01", "--to", "2026-10-01"],
        ["--from", "0001-01-01"],
        ["--days", "0"],
        ["--days", "3", "--from", "2026-10-01"],
    ],
)
def test_command_refuses_bad_arguments_and_writes_nothing(arguments):
    with pytest.raises(CommandError):
        call_command("rebuild_insights", *arguments, stdout=StringIO())

    assert not InsightDay.objects.exists()
