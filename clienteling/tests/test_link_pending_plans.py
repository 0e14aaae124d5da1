"""Linking waiting rows must go through the partial "unlinked" indexes, never a walk of the events table."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling.ingest import customers_link_pending
from clienteling.models import BrowsingEvent
from inventory.waiting import waiting_for_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's (set DATABASE_URL=postgres://...)")


def _plans_of_updates(work) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        work()
    plans = []
    with connection.cursor() as cursor:
        # With sequential scans priced out, a plan that still scans sequentially has no index it may use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            if query["sql"].startswith('UPDATE "clienteling_browsingevent"'):
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_new_customers_and_new_skus_link_their_waiting_events_through_partial_indexes():
    # What the big table looks like: most events have no customer and no product (anonymous searches), so
    # "customer_id IS NULL" alone matches most rows and only the partial indexes narrow it down.
    BrowsingEvent.objects.bulk_create(
        BrowsingEvent(event_id=uuid.uuid4(), type="search", occurred_at=timezone.now(), session_id=f"s{i}",
                      channel="web", query="giacca")
        for i in range(5000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clienteling_browsingevent")
    many = [f"C-{i}" for i in range(300)]  # more than PostgreSQL's 100-element limit for proving IN lists
    plans = _plans_of_updates(lambda: customers_link_pending(external_ids=many))
    plans += _plans_of_updates(lambda: waiting_for_product.link([f"SKU-{i}" for i in range(300)]))
    assert len(plans) == 2
    assert "event_unlinked_customer" in plans[0], plans[0]
    assert "event_unlinked_sku" in plans[1], plans[1]
    assert not any("Seq Scan on clienteling_browsingevent" in plan for plan in plans), plans
