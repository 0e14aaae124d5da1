"""The store is the platform's tenant: Location moves from inventory to omniportal (docs/architecture.md).

State only: the table keeps its name (`inventory_location`) and every foreign key keeps pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("omniportal", "0002_location_is_the_platforms"),
        ("orders", "0006_status_change_reference"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="basket",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="omniportal.location"
                    ),
                ),
                migrations.AlterField(
                    model_name="basketline",
                    name="source",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="commissionentry",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="commission_entries",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="pickup_store",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pickup_orders",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="selling_store",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sold_orders",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="source",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="sale",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sales", to="omniportal.location"
                    ),
                ),
                migrations.AlterField(
                    model_name="statement",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="statements", to="omniportal.location"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
