"""Recompute search_name for names with an apostrophe, now dropped from the key (omniportal.text.fold_name).

Only the rows whose first or last name holds an apostrophe of any kind change; the rule is copied here so that
this migration keeps meaning what it meant when it was written.
"""

import re
import unicodedata

from django.db import migrations
from django.db.models import Q

_APOSTROPHES = "'’‘ʼ´`"
_SPACES = re.compile(r"\s+")
_BATCH = 2000


def _name_key(first_name: str, last_name: str) -> str:
    text = f"{first_name} {last_name}".translate(str.maketrans(dict.fromkeys(_APOSTROPHES[1:], "'")))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip().replace("'", "")[:210]


def forwards(apps, schema_editor):
    Customer = apps.get_model("clienteling", "Customer")
    with_apostrophe = Q()
    for ch in _APOSTROPHES:
        with_apostrophe |= Q(first_name__contains=ch) | Q(last_name__contains=ch)
    rows = Customer.objects.filter(with_apostrophe).only("pk", "first_name", "last_name", "search_name")
    batch = []
    for customer in rows.iterator(chunk_size=_BATCH):
        key = _name_key(customer.first_name, customer.last_name)
        if key != customer.search_name:
            customer.search_name = key
            batch.append(customer)
        if len(batch) >= _BATCH:
            Customer.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0007_search_statistics")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
