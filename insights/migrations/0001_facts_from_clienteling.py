"""The omnichannel insight gets its own app, above orders: its facts read carts, events and customers
(clienteling) and sales, orders and commission credits (orders), so they could not live in clienteling without
a hidden import cycle (docs/architecture.md).

State only: the tables keep their names (`clienteling_cartdayfact`, …) and every row stays where it is. The
content types are renamed, not recreated, so permissions and admin history follow the models.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("insightday", "cartdayfact", "ropodayfact", "storedayfact", "influencedayfact")


def _move_content_types(app_from: str, app_to: str):
    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType")
        content_types.objects.filter(app_label=app_from, model__in=MODELS).update(app_label=app_to)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("clienteling", "0010_stores_are_platform_locations"),
        ("omniportal", "0002_location_is_the_platforms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InsightDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(unique=True, verbose_name="day")),
                        ("rebuilt_at", models.DateTimeField(verbose_name="rebuilt at")),
                        ("as_of", models.DateTimeField(verbose_name="as of")),
                        ("seconds", models.FloatField(verbose_name="build time (s)")),
                        (
                            "window_days",
                            models.PositiveSmallIntegerField(default=14, verbose_name="default window (days)"),
                        ),
                    ],
                    options={
                        "verbose_name": "insight day",
                        "verbose_name_plural": "insight days",
                        "db_table": "clienteling_insightday",
                        "ordering": ["-day"],
                    },
                ),
                migrations.CreateModel(
                    name="CartDayFact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        (
                            "band",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "0–5 km"),
                                    (1, "5–15 km"),
                                    (2, "15–50 km"),
                                    (3, "50+ km"),
                                    (9, "Unknown distance"),
                                ]
                            ),
                        ),
                        ("carts", models.PositiveIntegerField(default=0)),
                        ("ordered", models.PositiveIntegerField(default=0)),
                        ("abandoned", models.PositiveIntegerField(default=0)),
                        ("abandoned_known", models.PositiveIntegerField(default=0)),
                        ("abandoned_value", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        ("ropo_carts", models.PositiveIntegerField(default=0)),
                        ("ropo_revenue", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        (
                            "store",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="omniportal.location",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "cart day fact",
                        "verbose_name_plural": "cart day facts",
                        "db_table": "clienteling_cartdayfact",
                        "indexes": [models.Index(fields=["day", "store"], name="cartfact_day_store")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("store__isnull", False)),
                                fields=("day", "store", "band"),
                                name="cartfact_unique",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("store__isnull", True)),
                                fields=("day", "band"),
                                name="cartfact_unique_nostore",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="InfluenceDayFact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("lag_days", models.PositiveSmallIntegerField()),
                        ("revenue", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="omniportal.location"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "influence day fact",
                        "verbose_name_plural": "influence day facts",
                        "db_table": "clienteling_influencedayfact",
                        "constraints": [
                            models.UniqueConstraint(fields=("day", "store", "lag_days"), name="influencefact_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RopoDayFact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        (
                            "band",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "0–5 km"),
                                    (1, "5–15 km"),
                                    (2, "15–50 km"),
                                    (3, "50+ km"),
                                    (9, "Unknown distance"),
                                ]
                            ),
                        ),
                        ("lag_days", models.PositiveSmallIntegerField()),
                        ("carts", models.PositiveIntegerField(default=0)),
                        ("revenue", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        (
                            "store",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="omniportal.location",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "ROPO day fact",
                        "verbose_name_plural": "ROPO day facts",
                        "db_table": "clienteling_ropodayfact",
                        "indexes": [models.Index(fields=["day", "store"], name="ropofact_day_store")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("store__isnull", False)),
                                fields=("day", "store", "band", "lag_days"),
                                name="ropofact_unique",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("store__isnull", True)),
                                fields=("day", "band", "lag_days"),
                                name="ropofact_unique_nostore",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StoreDayFact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("sales_revenue", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        ("credited_orders", models.PositiveIntegerField(default=0)),
                        ("credited_amount", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16)),
                        (
                            "influenced_revenue",
                            models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                        ),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="omniportal.location"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "store day fact",
                        "verbose_name_plural": "store day facts",
                        "db_table": "clienteling_storedayfact",
                        "constraints": [models.UniqueConstraint(fields=("day", "store"), name="storefact_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _move_content_types("clienteling", "insights"), _move_content_types("insights", "clienteling")
        ),
    ]
