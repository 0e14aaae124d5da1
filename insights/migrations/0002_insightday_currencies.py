"""Each built day records the currencies of the amounts it summed, so the page prints amounts with their
currency, and never one currency's sign on another's amounts.

Days built before this have no record (NULL). When every cart, till sale and commission entry in the database
is in one currency, so is every fact already built, and those days get it now; otherwise they stay unknown
(the page shows their amounts without a currency) until rebuilt (`rebuild_insights`, docs/insights.md).
"""

from django.db import migrations, models

SOURCES = (("clienteling", "Cart"), ("orders", "Sale"), ("orders", "CommissionEntry"))


def record_the_one_currency(apps, schema_editor):
    days = apps.get_model("insights", "InsightDay").objects.filter(currencies__isnull=True)
    if not days.exists():
        return
    seen: set[str] = set()
    for app_label, model in SOURCES:
        rows = apps.get_model(app_label, model).objects.order_by()
        seen.update(rows.values_list("currency", flat=True).distinct()[:2])
        if len(seen) > 1:
            return
    days.update(currencies=seen.pop() if seen else "")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_facts_from_clienteling"),
        ("orders", "0007_stores_are_platform_locations"),
    ]

    operations = [
        migrations.AddField(
            model_name="insightday",
            name="currencies",
            field=models.CharField(blank=True, max_length=255, null=True, verbose_name="currencies"),
        ),
        migrations.RunPython(record_the_one_currency, migrations.RunPython.noop),
    ]
