"""Head office's reason for finalising a statement the store had not approved (issue 15).

A finalise of a closed or disputed month is an override and records why; one the store approved needs none.
The column has a database default, so the previous release (still serving while this runs) keeps inserting
statements without naming it. Statements are one row per store and month: the new column is instant.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_commission_credit_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="override_reason",
            field=models.TextField(
                blank=True, db_default="", default="", max_length=2000, verbose_name="override reason"
            ),
        ),
    ]
