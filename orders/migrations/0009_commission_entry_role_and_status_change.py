"""Commission entries say in typed columns what their event key only spelt: the role and the status change.

- `role`: `beneficiary` (the store serving the delivery place) or `assisted` (the selling store's share);
- `status_change`: the cancellation or return a reversal takes back; null for credits.

`event_key` stays, as the key the unique constraints decide exactly-once with; from now on it is built from
these columns alone (`orders.models.commission_event_key`) and never parsed.

The backfill is set-based: one UPDATE per kind and role that the column defaults do not already describe.
A credit of the beneficiary ("credit"), most of the ledger, is written by none of them.
"""

import contextlib

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Cast, Length, Substr

CHANGE_PREFIX = len("change:")
ASSISTED_SUFFIX = len(":assisted")


@contextlib.contextmanager
def _append_only_guard_lifted(schema_editor):
    """Let this migration's own UPDATEs through the ledger's append-only trigger (PostgreSQL, migration 0003).

    The ledger is append-only, and this is the one deliberate exception: the columns did not exist when the
    entries were written, and filling them in changes nothing any entry said. The trigger is disabled inside
    this migration's transaction and enabled again before it commits; meanwhile AddField's ACCESS EXCLUSIVE
    lock keeps every other session away from the table, so no one else ever writes to an unguarded ledger.
    On an error the whole transaction, the DISABLE included, rolls back. SQLite has no such trigger (0003),
    and the historical model has a plain manager, without the model's refusal.
    """
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE orders_commissionentry DISABLE TRIGGER commission_entry_append_only")
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
    dependencies = [("orders", "0008_waiting_rows_indexes")]

    operations = [
        migrations.AddField(
            model_name="commissionentry",
            name="role",
            field=models.CharField(
                choices=[
                    ("beneficiary", "Store serving the delivery place"),
                    ("assisted", "Selling store (assisted share)"),
                ],
                db_default="beneficiary",
                default="beneficiary",
                max_length=12,
                verbose_name="role",
            ),
        ),
        migrations.AddField(
            model_name="commissionentry",
            name="status_change",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commission_entries",
                to="orders.orderstatuschange",
            ),
        ),
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
