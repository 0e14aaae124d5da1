"""The insight facts move to the `insights` app (its migration 0001): clienteling forgets them.

State only: the tables, their rows and their names stay (`insights.models` points at them through db_table).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0010_stores_are_platform_locations"),
        ("insights", "0001_facts_from_clienteling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CartDayFact"),
                migrations.DeleteModel(name="InfluenceDayFact"),
                migrations.DeleteModel(name="InsightDay"),
                migrations.DeleteModel(name="RopoDayFact"),
                migrations.DeleteModel(name="StoreDayFact"),
            ],
            database_operations=[],
        ),
    ]
