"""The read-replica database settings: `DATABASES.update(replica_databases(env))` in settings.py.

See `omniportal.db_router` for what may read from it (nothing, unless a path asks with `read_replica()`).
"""

from __future__ import annotations

from typing import Any

import environ

REPLICA_DB_ALIAS = "replica"  # the same name as omniportal.db_router.REPLICA_DB_ALIAS (not imported: settings-time)


def replica_databases(env: environ.Env) -> dict[str, dict[str, Any]]:
    """`{"replica": {...}}` when DATABASE_REPLICA_URL is set, else `{}`.

    - CONN_MAX_AGE as for the primary (env CONN_MAX_AGE, default 60);
    - on PostgreSQL every transaction is read-only (`default_transaction_read_only`): a hot standby refuses
      writes anyway, and this makes a replica URL that points at a primary refuse them too;
    - in tests the alias mirrors the test database (`TEST: {"MIRROR": "default"}`), so a test run with
      DATABASE_REPLICA_URL set needs no second test database.
    """
    url = env.str("DATABASE_REPLICA_URL", default="")
    if not url:
        return {}
    replica = env.db_url_config(url)
    replica["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    replica["ATOMIC_REQUESTS"] = False
    if replica["ENGINE"] == "django.db.backends.postgresql":
        options = replica.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    replica["TEST"] = {"MIRROR": "default"}
    return {REPLICA_DB_ALIAS: replica}
