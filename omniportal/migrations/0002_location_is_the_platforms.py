"""The store is the platform's tenant: Location moves from inventory to omniportal (docs/architecture.md).

State only: the table keeps its name (`inventory_location`) and every foreign key keeps pointing at it.
"""

from django.db import migrations, models


def _move_content_type(app_from: str, app_to: str):
    def move(apps, schema_editor):
        # Permissions and admin history point at the content type: rename it rather than let a new one appear.
        content_types = apps.get_model("contenttypes", "ContentType")
        content_types.objects.filter(app_label=app_from, model="location").update(app_label=app_to)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0004_search_keys_with_typographic_apostrophes"),
        ("omniportal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Location",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("store", "Store"), ("warehouse", "Warehouse")],
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        ("address_line1", models.CharField(blank=True, max_length=200, verbose_name="address")),
                        ("city", models.CharField(blank=True, max_length=100, verbose_name="city")),
                        ("postal_code", models.CharField(blank=True, max_length=20, verbose_name="postal code")),
                        ("country", models.CharField(max_length=2, verbose_name="country")),
                        ("lat", models.FloatField(verbose_name="latitude")),
                        ("lon", models.FloatField(verbose_name="longitude")),
                        ("ships_to_home", models.BooleanField(default=True, verbose_name="ships to home")),
                        ("offers_pickup", models.BooleanField(default=False, verbose_name="offers pickup")),
                        ("commission_eligible", models.BooleanField(default=True, verbose_name="commission eligible")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "location",
                        "verbose_name_plural": "locations",
                        "db_table": "inventory_location",
                        "ordering": ["code"],
                        "indexes": [models.Index(fields=["kind", "active"], name="location_kind_active")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("lat__gte", -90), ("lat__lte", 90)), name="location_lat_range"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("lon__gte", -180), ("lon__lte", 180)), name="location_lon_range"
                            ),
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="staffprofile",
                    name="stores",
                    field=models.ManyToManyField(
                        blank=True,
                        limit_choices_to={"kind": "store"},
                        related_name="staff",
                        to="omniportal.location",
                        verbose_name="stores",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _move_content_type("inventory", "omniportal"), _move_content_type("omniportal", "inventory")
        ),
    ]
