"""The store is the platform's tenant: Location moves from inventory to omniportal (docs/architecture.md).

State only: the table keeps its name (`inventory_location`) and every foreign key keeps pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_stores_are_platform_locations"),
        ("clienteling", "0010_stores_are_platform_locations"),
        ("inventory", "0004_search_keys_with_typographic_apostrophes"),
        ("omniportal", "0002_location_is_the_platforms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="stocklevel",
                    name="location",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stock_levels",
                        to="omniportal.location",
                    ),
                ),
                migrations.DeleteModel(
                    name="Location",
                ),
            ],
            database_operations=[],
        ),
    ]
