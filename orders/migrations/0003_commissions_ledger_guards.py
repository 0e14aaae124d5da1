"""Database guarantees for the commission ledger and policies.

- One entry per order and event role (besides commission_entry_once on order, store, event).
- PostgreSQL: entries refuse UPDATE and DELETE (a trigger), and two policies can never be in force on
  the same date (an exclusion constraint on the inclusive date range; a NULL end is open-ended).
- SQLite: a trigger refuses overlapping policies. (No delete trigger there: Django flushes test
  databases with DELETE on SQLite; the model and the admin still refuse it.)
"""

from django.db import migrations, models

PG_FORWARD = [
    """
    ALTER TABLE orders_commissionpolicy ADD CONSTRAINT commission_policy_no_overlap
        EXCLUDE USING gist (daterange(effective_from, effective_to, '[]') WITH &&)
    """,
    """
    CREATE OR REPLACE FUNCTION commission_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'commission entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER commission_entry_append_only BEFORE UPDATE OR DELETE ON orders_commissionentry
        FOR EACH ROW EXECUTE FUNCTION commission_entry_append_only()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS commission_entry_append_only ON orders_commissionentry",
    "DROP FUNCTION IF EXISTS commission_entry_append_only()",
    "ALTER TABLE orders_commissionpolicy DROP CONSTRAINT IF EXISTS commission_policy_no_overlap",
]
_SQLITE_OVERLAP = """
    EXISTS (SELECT 1 FROM orders_commissionpolicy p WHERE {other}
        (p.effective_to IS NULL OR p.effective_to >= NEW.effective_from)
        AND (NEW.effective_to IS NULL OR p.effective_from <= NEW.effective_to))
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER commission_policy_no_overlap_insert BEFORE INSERT ON orders_commissionpolicy
    WHEN {_SQLITE_OVERLAP.format(other="")}
    BEGIN SELECT RAISE(ABORT, 'commission_policy_no_overlap'); END
    """,
    f"""
    CREATE TRIGGER commission_policy_no_overlap_update BEFORE UPDATE ON orders_commissionpolicy
    WHEN {_SQLITE_OVERLAP.format(other="p.id != NEW.id AND")}
    BEGIN SELECT RAISE(ABORT, 'commission_policy_no_overlap'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS commission_policy_no_overlap_insert",
    "DROP TRIGGER IF EXISTS commission_policy_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("orders", "0002_default_commission_policy"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="commissionentry",
            constraint=models.UniqueConstraint(fields=("order", "event_key"), name="commission_entry_one_per_event"),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
