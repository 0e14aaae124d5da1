"""Events go in by COPY after a probe for known ids; a concurrent writer of the same id must not break that."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from clienteling.ingest import EventIn, events_append
from clienteling.models import BrowsingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path and its race are PostgreSQL only (set DATABASE_URL=postgres://...)")


def _event(event_id: uuid.UUID) -> EventIn:
    return EventIn(
        event_id=event_id,
        type="product_view",
        occurred_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        session_id="s-race",
        channel="web",
        sku="JKT-001-M",
    )


def _waiting_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def test_an_id_committed_by_another_writer_between_probe_and_copy_counts_once():
    contested, fresh = uuid.uuid4(), uuid.uuid4()
    other_holds_it = threading.Event()
    release_other = threading.Event()
    outcome: dict[str, object] = {}

    def other_writer() -> None:
        # Stores the contested id in its own transaction and commits only when told to: our probe cannot see
        # it yet, so our COPY will meet it in the unique index, wait for this commit, then be refused.
        try:
            with transaction.atomic():
                events_append(items=[_event(contested)])
                other_holds_it.set()
                release_other.wait(timeout=30)
        finally:
            connections.close_all()

    def our_batch() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            outcome["counts"] = events_append(items=[_event(contested), _event(fresh)])
        except BaseException as exc:  # asserted below, in the test thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    other = threading.Thread(target=other_writer)
    other.start()
    assert other_holds_it.wait(timeout=30)
    ours = threading.Thread(target=our_batch)
    ours.start()
    deadline = time.monotonic() + 30
    while not ("pid" in outcome and _waiting_on_a_lock(outcome["pid"])) and time.monotonic() < deadline:
        time.sleep(0.05)
    blocked = "pid" in outcome and _waiting_on_a_lock(outcome["pid"])
    release_other.set()
    other.join(timeout=30)
    ours.join(timeout=30)

    assert blocked, "our COPY never waited on the other writer's row"
    assert "error" not in outcome, outcome.get("error")
    assert outcome["counts"].as_dict() == {"accepted": 1, "duplicates": 1}
    assert set(BrowsingEvent.objects.values_list("event_id", flat=True)) == {contested, fresh}
