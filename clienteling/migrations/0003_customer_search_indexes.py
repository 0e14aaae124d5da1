"""Search indexes for the customer table on PostgreSQL: pg_trgm GIN indexes for fragments anywhere
(name words, email, phone digits) and a byte-order btree for short prefixes and the result order.
SQLite has neither; there the search falls back to plain LIKE scans (correct, slower)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("customer_search_name_trgm", "USING gin (search_name gin_trgm_ops)"),
    ("customer_email_trgm", "USING gin (UPPER(email::text) gin_trgm_ops)"),
    ("customer_phone_trgm", "USING gin (phone_digits gin_trgm_ops)"),
    ("customer_search_name_c", '(search_name COLLATE "C", id)'),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clienteling_customer {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0002_insights_facts")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
