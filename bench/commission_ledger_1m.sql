-- A commission ledger as the code before orders 0009 wrote it (event keys and explanations only), at SPEC
-- scale: 500 stores, 1M orders (10% endless aisle, split), 2M order lines, 2.2M status changes, 1.1M credit
-- entries and 300k reversal entries. For timing migrations 0009–0011 and the sweep's queries
-- (docs/commissions.md, "Measured"). Into an empty database migrated to orders 0008:
--
--     createdb big && DATABASE_URL=postgres:///big python manage.py migrate
--     DATABASE_URL=postgres:///big python manage.py migrate orders 0008
--     psql big -v ON_ERROR_STOP=1 -f bench/commission_ledger_1m.sql    # ≈ 3–4 minutes, 2 GB
--     for m in 0009 0010 0011; do time DATABASE_URL=postgres:///big python manage.py migrate orders $m; done
\timing on
INSERT INTO inventory_location (code, name, kind, address_line1, city, postal_code, country, lat, lon,
    ships_to_home, offers_pickup, commission_eligible, active, updated_at)
SELECT 'S' || lpad(g::text, 4, '0'), 'Store ' || g, 'store', '', '', '', 'IT', 38 + (g % 50) * 0.15, 7 + (g / 50) * 0.8,
       true, true, true, true, now()
FROM generate_series(1, 500) g;

INSERT INTO orders_order (number, external_id, channel, status, customer_external_id, placed_at, currency,
    shipping_amount, till_receipt, delivery_method, delivery_name, delivery_line1, delivery_line2, delivery_city,
    delivery_postal_code, delivery_country, delivery_lat, delivery_lon, location_source, tracking_token, carrier,
    tracking_number, tracking_url, created_at, updated_at, selling_store_id)
SELECT 'B' || g, 'BIG-' || g, CASE WHEN g % 10 = 0 THEN 'endless_aisle' ELSE 'web' END, 'delivered', '',
       now() - (g % 365) * interval '1 day', 'EUR', 0, '', 'home', '', '', '', '', '', 'IT', 41 + (g % 997) / 997.0,
       12 + (g % 991) / 991.0, 'given', 'tok' || g, '', '', '', now() - interval '1 day', now(),
       CASE WHEN g % 10 = 0 THEN (SELECT min(id) FROM inventory_location) + g % 500 END
FROM generate_series(1, 1000000) g;

INSERT INTO orders_orderline (order_id, sku, quantity, unit_price, discount, reserved_quantity, shipped_quantity,
    cancelled_quantity, returned_quantity)
SELECT o.id, 'SKU-' || (o.id % 20000) || '-' || n, n, 24.95, 0, 0, 0, 0, 0
FROM orders_order o CROSS JOIN generate_series(1, 2) n ORDER BY o.id, n;

INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, occurred_at, actor_label, lines, note, reference, created_at)
SELECT o.id, f, t, o.placed_at, '', '[]', '', '', o.placed_at
FROM orders_order o CROSS JOIN (VALUES ('', 'placed'), ('placed', 'shipped')) moves (f, t) ORDER BY o.id;
INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, occurred_at, actor_label, lines, note, reference, created_at)
SELECT o.id, 'delivered', CASE WHEN o.channel = 'endless_aisle' THEN 'cancelled' ELSE 'partially_returned' END,
       o.placed_at + interval '3 days', '',
       CASE WHEN o.channel = 'endless_aisle' THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (o.id % 20000) || '-2', 'quantity', 1)) END,
       '', '', o.placed_at + interval '3 days'
FROM orders_order o WHERE (o.channel = 'endless_aisle' AND o.id % 2 = 0) OR (o.channel = 'web' AND o.id % 10 = 3);

CREATE TEMP TABLE credit_base AS
SELECT o.id AS order_id, o.placed_at, o.channel = 'endless_aisle' AS split, o.selling_store_id,
       (SELECT min(id) FROM inventory_location) + (o.id * 7) % 500 AS store_id,
       jsonb_build_object(
           'beneficiary', 'nearest', 'location', jsonb_build_object('lat', o.delivery_lat, 'lon', o.delivery_lon),
           'location_source', 'given',
           'policy', jsonb_build_object('id', 1, 'name', 'Default', 'effective_from', '2000-01-01'),
           'default_rate', '0.0500',
           'lines', jsonb_build_array(
               jsonb_build_object('sku', 'SKU-' || (o.id % 20000) || '-1', 'quantity', 1, 'net', '24.95', 'rate', '0.0500'),
               jsonb_build_object('sku', 'SKU-' || (o.id % 20000) || '-2', 'quantity', 2, 'net', '49.90', 'rate', '0.0500')),
           'order_amount', '3.74', 'beneficiary_store', 'S0001') AS explanation
FROM orders_order o;

INSERT INTO orders_commissionentry (order_id, store_id, kind, event_key, amount, base_amount, currency, period,
    distance_km, location_source, policy_id, rate, share, explanation, created_at)
SELECT order_id, store_id, 'credit', 'credit', CASE WHEN split THEN 1.87 ELSE 3.74 END, 74.85, 'EUR',
       date_trunc('month', placed_at)::date, 3.2, 'given', 1, 0.05, CASE WHEN split THEN 0.5 ELSE 1 END,
       explanation || jsonb_build_object('role', 'beneficiary', 'share', CASE WHEN split THEN '0.5000' ELSE '1' END),
       placed_at
FROM credit_base ORDER BY order_id;
INSERT INTO orders_commissionentry (order_id, store_id, kind, event_key, amount, base_amount, currency, period,
    distance_km, location_source, policy_id, rate, share, explanation, created_at)
SELECT order_id, selling_store_id, 'credit', 'credit:assisted', 1.87, 74.85, 'EUR',
       date_trunc('month', placed_at)::date, 12.5, 'given', 1, 0.05, 0.5,
       explanation || jsonb_build_object('role', 'assisted', 'share', '0.5000', 'selling_store', 'S0002'), placed_at
FROM credit_base WHERE split ORDER BY order_id;

INSERT INTO orders_commissionentry (order_id, store_id, kind, event_key, amount, base_amount, currency, period,
    distance_km, location_source, policy_id, rate, share, explanation, created_at)
SELECT c.order_id, CASE WHEN roles.assisted THEN b.selling_store_id ELSE b.store_id END, 'reversal',
       'change:' || c.id || CASE WHEN roles.assisted THEN ':assisted' ELSE '' END,
       CASE WHEN b.split THEN -1.87 ELSE -2.50 END, -24.95, 'EUR', date_trunc('month', c.occurred_at)::date, 3.2,
       'given', 1, 0.05, CASE WHEN b.split THEN 0.5 ELSE 1 END,
       (b.explanation - 'lines') || jsonb_build_object('reversal', c.to_status, 'change', c.id), c.occurred_at
FROM orders_orderstatuschange c JOIN credit_base b ON b.order_id = c.order_id
CROSS JOIN (VALUES (false), (true)) roles (assisted)
WHERE c.to_status IN ('cancelled', 'partially_returned') AND (b.split OR NOT roles.assisted)
ORDER BY c.id;

VACUUM ANALYZE;
SELECT kind, event_key LIKE '%:assisted' AS assisted, count(*) FROM orders_commissionentry GROUP BY 1, 2 ORDER BY 1, 2;
SELECT pg_size_pretty(pg_total_relation_size('orders_commissionentry')) AS entries,
       pg_size_pretty(pg_total_relation_size('orders_orderline')) AS lines;
