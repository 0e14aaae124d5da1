"""Read replica: an opt-in alias for heavy, lag-tolerant reads; everything else stays on the primary.

With DATABASE_REPLICA_URL set, settings add a `replica` database (`omniportal.settings_replica`). Nothing goes
there by default: an associate who saves a note on a tablet must see it on the next page, and a streaming
replica lags by a fraction of a second or more. A heavy read path asks for it explicitly:

    Model.objects.using(read_replica())...                     # ORM
    with connections[read_replica()].cursor() as cursor: ...   # raw SQL

Paths that should (reports over many rows, read once, where a second of lag does not matter):
- the omnichannel insights report and its CSV export (`insights.report.insight_report`, the
  `insights.views.insights` view);
- CSV exports (the commission statement CSV in `orders.views_commissions`, the insights CSV);
- head office's commissions network (`orders.commissions.selectors.commission_network`).
Paths that must not: anything that writes or decides a write (reservations, order placement, the
commission ledger, the insight-facts rebuild, which locks and replaces a day in one transaction), and any
page that shows what the same person just changed.

`PrimaryReplicaRouter` (DATABASE_ROUTERS) keeps it that way: reads have no opinion (the primary, or the
database an instance was loaded from), writes always go to the primary, objects of both aliases may be
related, and migrations never run on the replica.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings


def read_replica() -> str:
    """The alias for a heavy read: "replica" when configured, else "default".

    Inside a transaction on the primary it answers "default": the replica cannot see that transaction's
    uncommitted writes.
    """
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return None  # the primary, unless the caller chose `.using(read_replica())`

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Also for an object that was read from the replica: saving it must reach the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}:
            return True  # the same data, one of them a little behind
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA_DB_ALIAS else None
