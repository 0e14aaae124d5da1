"""Refold the product search text and city keys that hold a typographic apostrophe (’ ‘ ʼ ´ `).

omniportal.text.fold now turns them into ' (a tablet types "Levi’s" for "Levi's"); keys folded before kept
them, so such a product or city would no longer match. Only rows holding one of these characters change.
"""

from django.db import migrations
from django.db.models import Q

from omniportal.text import fold

_TYPOGRAPHIC = "’‘ʼ´`"
_BATCH = 2000


def _refold(model, fields: tuple[str, ...], key: str, size: int, compute) -> None:
    holding = Q()
    for ch in _TYPOGRAPHIC:
        for name in fields:
            holding |= Q(**{f"{name}__contains": ch})
    batch = []
    for row in model.objects.filter(holding).only("pk", key, *fields).iterator(chunk_size=_BATCH):
        value = compute(row)[:size]
        if value != getattr(row, key):
            setattr(row, key, value)
            batch.append(row)
        if len(batch) >= _BATCH:
            model.objects.bulk_update(batch, [key])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [key])


def forwards(apps, schema_editor):
    _refold(
        apps.get_model("inventory", "Product"),
        ("sku", "name", "brand"),
        "search_text",
        500,
        lambda p: fold(f"{p.sku} {p.name} {p.brand}"),
    )
    _refold(apps.get_model("inventory", "City"), ("name",), "name_key", 200, lambda c: fold(c.name))


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_city_alternate_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
