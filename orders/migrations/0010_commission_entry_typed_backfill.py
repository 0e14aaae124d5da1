"""Fill in the role and status change of the entries written before 0009, from their event keys.

Set-based: one UPDATE per kind and role that the column's initial value does not already describe. A credit
of the beneficiary ("credit"), most of the ledger, is written by none of them.

The ledger is append-only, and on PostgreSQL a trigger (0003) refuses every UPDATE of an entry. This migration
is the one deliberate exception: the columns did not exist when the entries were written, and filling them in
changes nothing any entry said. It disables the trigger inside its own transaction and enables it again before
committing. DISABLE TRIGGER holds a SHARE ROW EXCLUSIVE lock until then, so other sessions can read the ledger
(the commission pages keep working) but no other session can write to it while it is unguarded. On an error
the whole transaction, the DISABLE included, rolls back. SQLite has no such trigger (0003), and the historical
model has a plain manager, without the model's refusal.
"""

import contextlib

from django.db import migrations, models
from django.db.models.functions import Cast, Length, Substr

CHANGE_PREFIX = len("change:")
ASSISTED_SUFFIX = len(":assisted")


@contextlib.contextmanager
def _append_only_guard_lifted(schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE orders_commissionentry DISABLE TRIGGER commission_entry_append_only")
        # The foreign keys the UPDATEs write are checked row by row, not queued until the commit: PostgreSQL
        # refuses to ENABLE the trigger (an ALTER TABLE) while checks are pending on the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    if postgresql:
        schema_editor.execute("ALTER TABLE orders_commissionentry ENABLE TRIGGER commission_entry_append_only")


def backfill_role_and_status_change(apps, schema_editor):
    CommissionEntry = apps.get_model("orders", "CommissionEntry")
    entries = CommissionEntry.objects.using(schema_editor.connection.alias)
    reversals = entries.filter(event_key__startswith="change:")
    with _append_only_guard_lifted(schema_editor):
        # credit, assisted: "credit:assisted"
        entries.filter(event_key="credit:assisted").update(role="assisted")
        # reversal, beneficiary: "change:<id>"
        reversals.exclude(event_key__endswith=":assisted").update(
            status_change_id=Cast(Substr("event_key", CHANGE_PREFIX + 1), models.BigIntegerField())
        )
        # reversal, assisted: "change:<id>:assisted"
        reversals.filter(event_key__endswith=":assisted").update(
            role="assisted",
            status_change_id=Cast(
                Substr("event_key", CHANGE_PREFIX + 1, Length("event_key") - CHANGE_PREFIX - ASSISTED_SUFFIX),
                models.BigIntegerField(),
            ),
        )
    # Reversals are computed from these columns: a key of another shape would silently count for nothing.
    unknown = entries.filter(status_change__isnull=True).exclude(event_key__in=["credit", "credit:assisted"])
    if unknown.exists():
        raise RuntimeError(
            f"{unknown.count()} commission entries have an event key that is neither a credit nor a reversal "
            f"(for example {unknown.values_list('event_key', flat=True).first()!r}); nothing was migrated"
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0009_commission_entry_role_and_status_change")]

    operations = [
        migrations.RunPython(backfill_role_and_status_change, migrations.RunPython.noop),
        # After the backfill: building the index once is cheaper than maintaining it through the UPDATEs.
        migrations.AddIndex(
            model_name="commissionentry",
            index=models.Index(
                condition=models.Q(("status_change__isnull", False)), fields=["status_change"], name="entry_status_change"
            ),
        ),
        # Statistics for the new columns now, not whenever autovacuum gets to it: without them PostgreSQL
        # thinks every entry has a status change and the sweep's first runs scan the whole ledger.
        migrations.RunSQL("ANALYZE orders_commissionentry", migrations.RunSQL.noop),
    ]
