"""Product search indexes on PostgreSQL: a pg_trgm GIN index for word fragments anywhere in search_text (the
expression Django's `contains` lookup compares, `search_text::text`), and a btree on UPPER(sku) for the
case-insensitive exact SKU match. SQLite has neither; there the search scans (correct, slower)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("product_search_text_trgm", "USING gin ((search_text::text) gin_trgm_ops)"),
    ("product_sku_upper", "(UPPER(sku::text))"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON inventory_product {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
