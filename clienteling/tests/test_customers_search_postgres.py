"""On PostgreSQL every form of customer search is answered from an index, never a scan of the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clienteling.selectors import customers_search

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROWS = 5000
SEARCHES = [
    "ros",  # surname prefix
    "rossi mario",  # words in any order
    "ossin",  # fragment inside a word
    "ma",  # short query: prefix path
    "m",
    "mario.rossi12",  # email fragment
    "@example",
    "333 000 1234",  # phone, national format
    "+39 333 0001234",  # phone, international
    "0039333000123",
    "L000001234",  # loyalty number
    "zzzz",  # no match
]


@pytest.fixture
def many_customers(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clienteling_customer (external_id, first_name, last_name, email, phone, loyalty_number,
              loyalty_tier, address_line1, address_line2, city, postal_code, country, consent_clienteling,
              consent_marketing, sizes, preferences, search_name, phone_digits, created_at)
            SELECT 'X' || g, f, l, lower(f) || '.' || lower(l) || g || '@example.com', '+39333' || lpad(g::text, 7, '0'),
              'L' || lpad(g::text, 9, '0'), '', '', '', 'Milano', '20121', 'IT', true, false, '{}', '{}',
              lower(f || ' ' || l), '39333' || lpad(g::text, 7, '0'), now()
            FROM (SELECT g,
                (ARRAY['Mario','Giulia','Luca','Anna','Marco','Sara','Paolo','Elena','Rosa','Giorgio'])[1 + g %% 10] f,
                (ARRAY['Rossi','Bianchi','Russo','Ferrari','Esposito','Romano','Colombo','Ricci','Marino','Greco',
                       'Bruno','Gallo','Conti','De Luca','Costa'])[1 + (g / 10) %% 15]
                  || CASE WHEN g %% 7 = 0 THEN 'ni' ELSE '' END || substr(md5(g::text), 1, 3) l
              FROM generate_series(1, %s) g) s
            """,
            [ROWS],
        )
        cursor.execute("ANALYZE clienteling_customer")


def test_no_search_scans_the_customer_table(many_customers):
    """Every query the search sends has an index path on the customer table.

    With sequential scans switched off the planner still falls back to one (at a prohibitive cost) when no
    index can answer a predicate, so a "Seq Scan" in these plans means a missing index. Switching them off
    is needed because on a test-sized table a scan really is cheaper: trigram bitmap scans only win past
    roughly 100,000 rows (the 1M-customer plans are recorded by bench/bench_clienteling.py).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    scans = {}
    for query in SEARCHES:
        with CaptureQueriesContext(connection) as ctx:
            customers_search(query=query)
        assert ctx.captured_queries, query
        for captured in ctx.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + captured["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Seq Scan on clienteling_customer" in plan or "Index" not in plan:
                scans[query] = plan
    assert scans == {}

    assert [c.loyalty_number for c in customers_search(query="L000001234")] == ["L000001234"]
    assert all("rossi" in c.search_name for c in customers_search(query="rossi mario"))
    assert customers_search(query="zzzz") == []


def test_the_searched_columns_keep_fine_statistics_for_the_planner():
    """A common surname must not look rare to the planner (migration 0007; figures in docs/performance.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT attrelid::regclass::text, attname, attstattarget FROM pg_attribute
            WHERE attrelid IN ('clienteling_customer'::regclass, 'customer_email_trgm'::regclass)
              AND attstattarget > 0 ORDER BY 1, 2
            """
        )
        assert cursor.fetchall() == [
            ("clienteling_customer", "phone_digits", 1000),
            ("clienteling_customer", "search_name", 1000),
            ("customer_email_trgm", "upper", 1000),
        ]
