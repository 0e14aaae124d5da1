"""The store is the platform's tenant: Location moves from inventory to omniportal (docs/architecture.md).

State only: the table keeps its name (`inventory_location`) and every foreign key keeps pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0009_access_via_erasure"),
        ("omniportal", "0002_location_is_the_platforms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="cartdayfact",
                    name="store",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="nearest_store",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="followuptask",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="tasks", to="omniportal.location"
                    ),
                ),
                migrations.AlterField(
                    model_name="influencedayfact",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="omniportal.location"
                    ),
                ),
                migrations.AlterField(
                    model_name="note",
                    name="store",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="profileaccess",
                    name="store",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="ropodayfact",
                    name="store",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="omniportal.location",
                    ),
                ),
                migrations.AlterField(
                    model_name="storedayfact",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="omniportal.location"
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="visits", to="omniportal.location"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
