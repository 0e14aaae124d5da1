"""Finer planner statistics for the columns customer search matches with LIKE (PostgreSQL only).

PostgreSQL estimates `LIKE '%fragment%'` by testing the pattern against the column's histogram. With the
default 100 entries, a fragment shared by 0.5 % of a million customers (a common surname) usually matches
none of them, so the planner expects a handful of rows, reads all 5,000 matches through the trigram indexes
and sorts them (15–40 ms). With 1,000 entries it sees them and walks the primary key instead, stopping at
the 20th match (about 7 ms). Measured in docs/performance.md. Costs ~1.8 ms more planning per search.
"""

from django.db import migrations

COLUMNS = (
    "ALTER TABLE clienteling_customer ALTER COLUMN search_name SET STATISTICS {n}",
    "ALTER TABLE clienteling_customer ALTER COLUMN phone_digits SET STATISTICS {n}",
    "ALTER INDEX customer_email_trgm ALTER COLUMN 1 SET STATISTICS {n}",
)


def _set(n: int):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in COLUMNS:
            schema_editor.execute(statement.format(n=n))

    return run


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0006_event_indexes_for_ingestion")]

    operations = [migrations.RunPython(_set(1000), _set(-1), elidable=False)]
