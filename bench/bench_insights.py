"""Omnichannel insight (SPEC 2.6): the 90-day report from the daily facts, against the same aggregate computed
on the raw tables in the same run; and the rebuild of one day's facts, against its own SELECTs replayed raw.

Targets (issue 7): 90-day report ≤ 2 s end to end from aggregates; one day rebuilt ≤ 60 s at full scale.
"""

from __future__ import annotations

import time
from datetime import timedelta

# Each gunicorn worker's first request loads templates and catalogues: warm them all, then measure steady state.
WARM_EVERY_WORKER = 8

RAW_BAND_REPORT = """
WITH carts AS (
    SELECT c.id, c.customer_id, c.status, c.source_updated_at,
           CASE WHEN cu.nearest_store_km IS NULL THEN 9 WHEN cu.nearest_store_km < 5 THEN 0
                WHEN cu.nearest_store_km < 15 THEN 1 WHEN cu.nearest_store_km < 50 THEN 2 ELSE 3 END AS band,
           CASE WHEN c.status = 'abandoned' OR (c.status = 'active' AND c.source_updated_at < now() - interval '24 hours')
                THEN 1 ELSE 0 END AS abandoned
    FROM clienteling_cart c LEFT JOIN clienteling_customer cu ON cu.id = c.customer_id
    WHERE c.status IN ('active', 'ordered', 'abandoned') AND c.source_updated_at >= %(start)s AND c.source_updated_at < %(end)s
)
SELECT band, COUNT(*), SUM(CASE WHEN status = 'ordered' THEN 1 ELSE 0 END), SUM(abandoned),
       SUM(CASE WHEN abandoned = 1 AND customer_id IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN abandoned = 1 AND customer_id IS NOT NULL AND EXISTS (
             SELECT 1 FROM orders_sale s JOIN orders_saleline sl ON sl.sale_id = s.id
             JOIN clienteling_cartline cl ON cl.cart_id = carts.id AND cl.sku = sl.sku
             WHERE s.customer_id = carts.customer_id AND s.sold_at > carts.source_updated_at
               AND (s.sold_at AT TIME ZONE %(tz)s)::date - (carts.source_updated_at AT TIME ZONE %(tz)s)::date <= %(window)s
           ) THEN 1 ELSE 0 END)
FROM carts GROUP BY band ORDER BY band
"""


def run(ctx) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from insights import facts
    from insights.facts import day_start, days_between, insight_day_rebuild, local_today
    from insights.models import CartDayFact, InfluenceDayFact, InsightDay, RopoDayFact, StoreDayFact
    from insights.report import insight_report

    window = settings.ROPO_WINDOW_DAYS
    date_to = local_today() - timedelta(days=1)
    date_from = date_to - timedelta(days=89)
    query = f"?date_from={date_from:%Y-%m-%d}&date_to={date_to:%Y-%m-%d}&window={window}"

    # The page reads facts: build the period's missing days first (what the nightly job would have done).
    built = set(InsightDay.objects.filter(day__gte=date_from, day__lte=date_to).values_list("day", flat=True))
    missing = [day for day in days_between(date_from, date_to) if day not in built]
    started = time.perf_counter()
    for day in missing:
        insight_day_rebuild(day=day)
    ctx.note(
        "insight facts",
        f"built {len(missing)} missing day(s) of the 90",
        seconds=round(time.perf_counter() - started, 1),
        cart_rows=CartDayFact.objects.count(),
        ropo_rows=RopoDayFact.objects.count(),
        store_rows=StoreDayFact.objects.count(),
        influence_rows=InfluenceDayFact.objects.count(),
    )

    def facts_raw(cursor) -> None:
        # The default report's two sums over the facts (the default window is kept on the cart/store rows),
        # as plain SQL, network-wide.
        period = {"a": date_from, "b": date_to}
        for sql in (
            "SELECT store_id, band, SUM(carts), SUM(ordered), SUM(abandoned), SUM(abandoned_known), "
            "SUM(abandoned_value), SUM(ropo_carts), SUM(ropo_revenue) FROM clienteling_cartdayfact "
            "WHERE day BETWEEN %(a)s AND %(b)s GROUP BY store_id, band",
            "SELECT store_id, SUM(sales_revenue), SUM(credited_orders), SUM(credited_amount), "
            "SUM(influenced_revenue) FROM clienteling_storedayfact WHERE day BETWEEN %(a)s AND %(b)s GROUP BY store_id",
        ):
            cursor.execute(sql, period)
            cursor.fetchall()

    head_office = ctx.login("helena_hq")
    ctx.measure(
        "insights page 90 days, head office (HTTP)",
        lambda: ctx.check(head_office.get(ctx.url("/insights/" + query))),
        ctx.repeat(30),
        warmup=WARM_EVERY_WORKER,
        raw_sql=facts_raw,
        target="p95 ≤ 2000 ms",
    )
    manager = ctx.login("marco_milano")
    ctx.measure(
        "insights page 90 days, manager of 2 stores",
        lambda: ctx.check(manager.get(ctx.url("/insights/" + query))),
        ctx.repeat(30),
        warmup=WARM_EVERY_WORKER,
        raw_sql=facts_raw,
        target="p95 ≤ 2000 ms",
    )
    ctx.measure(
        "insights CSV 90 days, head office",
        lambda: ctx.check(head_office.get(ctx.url("/insights/" + query + "&export=csv"))),
        ctx.repeat(10),
        warmup=WARM_EVERY_WORKER,
        target="p95 ≤ 2000 ms",
    )

    # The same band aggregate (carts, ordered, abandoned, ROPO carts) straight from the raw tables: what the
    # page would cost without the facts.
    user = get_user_model().objects.get(username="helena_hq")
    raw_params = {
        "start": day_start(date_from),
        "end": day_start(date_to + timedelta(days=1)),
        "tz": settings.TIME_ZONE,
        "window": window,
    }
    ctx.measure(
        "90-day band report: facts (selector) vs raw tables",
        lambda: insight_report(user=user, date_from=date_from, date_to=date_to, window_days=window),
        3,
        warmup=1,
        raw_sql=(RAW_BAND_REPORT, raw_params),
        target="raw = same aggregate on carts/sales",
    )

    # One day's rebuild (the busiest recent day: yesterday), against its own SELECTs replayed on a raw cursor.
    captured: list[tuple[str, list]] = []
    original_fetch = facts._fetch

    def capturing_fetch(sql, params):
        captured.append((sql, list(params)))
        return original_fetch(sql, params)

    facts._fetch = capturing_fetch
    try:
        insight_day_rebuild(day=date_to)
    finally:
        facts._fetch = original_fetch
    statements = captured[:]

    def replay(cursor) -> None:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()

    measurement = ctx.measure(
        "rebuild one day of insight facts",
        lambda: insight_day_rebuild(day=date_to),
        3,
        warmup=0,
        raw_sql=replay,
        target="≤ 60 s",
    )
    if measurement.api:
        ctx.note("insight rebuild", day=date_to.isoformat(), statements=len(statements))
