"""`field__any=[...]`: `IN (...)` that PostgreSQL receives as one array parameter, `= ANY(%s)`.

Ingestion looks rows up by thousands of keys at a time (a 5,000-event batch names thousands of SKUs and
customers). As an IN list each key is a placeholder that psycopg must splice into the statement and the
server must parse; as an array it is one parameter. Same rows, same semantics as `__in` (None is dropped,
an empty list matches nothing); on other databases it is `__in` itself.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            values = [value for value in self.rhs if value is not None]
            if not values:
                raise EmptyResultSet
            lhs, lhs_params = self.process_lhs(compiler, connection)
            prep = self.lhs.output_field.get_db_prep_value
            return f"{lhs} = ANY(%s)", (*lhs_params, list(dict.fromkeys(prep(v, connection) for v in values)))
        return self.as_sql(compiler, connection)
