"""A fresh database has a commission policy in force: 5% default rate, 50% assisted share."""

import datetime
from decimal import Decimal

from django.db import migrations


def create_default_policy(apps, schema_editor):
    CommissionPolicy = apps.get_model("orders", "CommissionPolicy")
    if not CommissionPolicy.objects.exists():
        CommissionPolicy.objects.create(
            name="Default",
            effective_from=datetime.date(2000, 1, 1),
            effective_to=None,
            default_rate=Decimal("0.0500"),
            assisted_share=Decimal("0.5000"),
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
