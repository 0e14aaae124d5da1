"""Commission entries say in typed columns what their event key only spelt: the role and the status change.

- `role`: `beneficiary` (the store serving the delivery place) or `assisted` (the selling store's share);
- `status_change`: the cancellation or return a reversal takes back; null for credits.

`event_key` stays, as the key the unique constraints decide exactly-once with; from now on it is built from
these columns alone (`orders.models.commission_event_key`) and never parsed.

Columns only, so the table's exclusive lock lasts an instant (PostgreSQL adds a column with a constant default
without rewriting the table). The existing entries read `beneficiary` until 0010 fills them in. `role` keeps
no database default afterwards: the code before this release, which may still be running while `migrate`
does, writes entries without it, and is refused rather than filing a selling store's share as the
beneficiary's (the sweep of the new code credits and reverses what it could not).
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
