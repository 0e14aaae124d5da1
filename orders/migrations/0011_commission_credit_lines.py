"""The credited order lines become a ledger table (`CommissionCreditLine`), so reversals stop reading them
from the credit's explanation: that JSON stays, as the audit record people read, and is no longer data.

One row per order line that a credit counted: sku, quantity, net, rate, as credited. Append-only like the
entries (a PostgreSQL trigger refuses UPDATE and DELETE), and unique per order and line, so a redelivered
credit task cannot count a line twice.

Backfill from the beneficiary credit of every credited order (the assisted entry repeats the same lines).
A credit listed its lines in order-line id order, so the n-th listed line is the order's n-th line; the SKU
must agree as well, and the migration fails, writing nothing, if any listed line finds no order line.
- PostgreSQL: one INSERT … SELECT over jsonb_array_elements (set-based);
- SQLite (demo and tests): a loop in Python, in batches.
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

PG_TRIGGER = [
    """
    CREATE OR REPLACE FUNCTION commission_credit_line_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'credited order lines are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER commission_credit_line_append_only BEFORE UPDATE OR DELETE ON orders_commissioncreditline
        FOR EACH ROW EXECUTE FUNCTION commission_credit_line_append_only()
    """,
]
PG_TRIGGER_DROP = [
    "DROP TRIGGER IF EXISTS commission_credit_line_append_only ON orders_commissioncreditline",
    "DROP FUNCTION IF EXISTS commission_credit_line_append_only()",
]

PG_BACKFILL = """
    INSERT INTO orders_commissioncreditline (order_id, order_line_id, sku, quantity, net, rate)
    SELECT credit.order_id, line.id, credited.line ->> 'sku', (credited.line ->> 'quantity')::integer,
           (credited.line ->> 'net')::numeric, (credited.line ->> 'rate')::numeric
    FROM orders_commissionentry credit
    CROSS JOIN LATERAL jsonb_array_elements(credit.explanation -> 'lines') WITH ORDINALITY AS credited (line, position)
    JOIN (
        SELECT id, order_id, sku, row_number() OVER (PARTITION BY order_id ORDER BY id) AS position
        FROM orders_orderline
    ) line ON line.order_id = credit.order_id AND line.position = credited.position
          AND line.sku = credited.line ->> 'sku'
    WHERE credit.kind = 'credit' AND credit.role = 'beneficiary'
      AND jsonb_typeof(credit.explanation -> 'lines') = 'array'
"""
PG_LISTED = """
    SELECT coalesce(sum(jsonb_array_length(explanation -> 'lines')), 0) FROM orders_commissionentry
    WHERE kind = 'credit' AND role = 'beneficiary' AND jsonb_typeof(explanation -> 'lines') = 'array'
"""
SQLITE_BATCH = 2000


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def _backfill_postgresql(schema_editor) -> tuple[int, int]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PG_BACKFILL)
        written = cursor.rowcount
        cursor.execute(PG_LISTED)
        return cursor.fetchone()[0], written


def _backfill_sqlite(apps, schema_editor) -> tuple[int, int]:
    alias = schema_editor.connection.alias
    CommissionEntry = apps.get_model("orders", "CommissionEntry")
    CommissionCreditLine = apps.get_model("orders", "CommissionCreditLine")
    OrderLine = apps.get_model("orders", "OrderLine")
    credits = (
        CommissionEntry.objects.using(alias)
        .filter(kind="credit", role="beneficiary")
        .order_by("order_id")
        .values_list("order_id", "explanation")
    )
    listed = written = 0
    batch = []

    def flush():
        nonlocal written
        order_lines = defaultdict(list)
        rows = OrderLine.objects.using(alias).filter(order_id__in=[order_id for order_id, _ in batch])
        for order_id, line_id, sku in rows.order_by("order_id", "id").values_list("order_id", "id", "sku"):
            order_lines[order_id].append((line_id, sku))
        credited_lines = [
            CommissionCreditLine(
                order_id=order_id,
                order_line_id=line_id,
                sku=item["sku"],
                quantity=int(item["quantity"]),
                net=Decimal(item["net"]),
                rate=Decimal(item["rate"]),
            )
            for order_id, items in batch
            for (line_id, sku), item in zip(order_lines[order_id], items)
            if sku == item["sku"]
        ]
        CommissionCreditLine.objects.using(alias).bulk_create(credited_lines)
        written += len(credited_lines)
        batch.clear()

    for order_id, explanation in credits.iterator(chunk_size=SQLITE_BATCH):
        items = (explanation or {}).get("lines")
        if not isinstance(items, list):
            continue
        listed += len(items)
        batch.append((order_id, items))
        if len(batch) >= SQLITE_BATCH:
            flush()
    if batch:
        flush()
    return listed, written


def backfill_credited_lines(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        listed, written = _backfill_postgresql(schema_editor)
    else:
        listed, written = _backfill_sqlite(apps, schema_editor)
    if listed != written:
        # A listed line with no order line would be a credit no return could ever take back.
        raise RuntimeError(
            f"credits list {listed} order lines, {written} of them match an order line (position and SKU); "
            "nothing was migrated"
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_commission_entry_typed_backfill")]

    operations = [
        migrations.CreateModel(
            name="CommissionCreditLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                (
                    "net",
                    models.DecimalField(
                        decimal_places=2, help_text="quantity × price − discount", max_digits=12, verbose_name="net"
                    ),
                ),
                ("rate", models.DecimalField(decimal_places=4, max_digits=6, verbose_name="rate")),
                (
                    "order",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="commission_credit_lines",
                        to="orders.order",
                    ),
                ),
                (
                    "order_line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orders.orderline"
                    ),
                ),
            ],
            options={"verbose_name": "credited order line", "verbose_name_plural": "credited order lines"},
        ),
        migrations.RunPython(backfill_credited_lines, migrations.RunPython.noop),
        # After the backfill: building the unique index once is cheaper than maintaining it row by row.
        migrations.AddConstraint(
            model_name="commissioncreditline",
            constraint=models.UniqueConstraint(fields=("order", "order_line"), name="commission_credit_line_once"),
        ),
        migrations.RunPython(_run(PG_TRIGGER), _run(PG_TRIGGER_DROP)),
        migrations.RunSQL("ANALYZE orders_commissioncreditline", migrations.RunSQL.noop),
    ]
