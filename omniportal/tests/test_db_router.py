from __future__ import annotations

import copy

import environ
import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from omniportal.db_router import REPLICA_DB_ALIAS, PrimaryReplicaRouter, read_replica, replica_configured
from omniportal.factories import LocationFactory
from omniportal.models import Location
from omniportal.settings_replica import replica_databases

ROUTER = override_settings(DATABASE_ROUTERS=["omniportal.db_router.PrimaryReplicaRouter"])


def env_with(monkeypatch, **variables: str) -> environ.Env:
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_no_replica_url_means_no_replica_alias(monkeypatch):
    assert replica_databases(env_with(monkeypatch)) == {}


def test_a_replica_url_gives_a_read_only_replica_alias_that_mirrors_default_in_tests(monkeypatch):
    env = env_with(monkeypatch, DATABASE_REPLICA_URL="postgres://ro:secret@standby.internal:5432/omniportal")
    monkeypatch.setenv("CONN_MAX_AGE", "30")
    replica = replica_databases(env)["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == ("standby.internal", "omniportal", "ro")
    assert replica["CONN_MAX_AGE"] == 30
    assert replica["OPTIONS"]["options"] == "-c default_transaction_read_only=on"
    assert replica["TEST"] == {"MIRROR": "default"}


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """A `replica` alias on the test database, as Django's runner sets up `TEST: {"MIRROR": "default"}`.

    Built by `replica_databases` from a URL naming the primary (on PostgreSQL: read-only sessions); module
    scoped so that it exists before pytest-django checks the test's `databases`.
    """
    if replica_configured():  # DATABASE_REPLICA_URL is set for this run: the runner made it a mirror already
        yield REPLICA_DB_ALIAS
        return
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    if primary["ENGINE"] == "django.db.backends.postgresql":
        url = (
            f"postgres://{primary['USER']}@{primary['HOST'] or '127.0.0.1'}:{primary['PORT'] or 5432}/{primary['NAME']}"
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DATABASE_REPLICA_URL", url)
            if primary["PASSWORD"]:
                patch.setenv("DATABASE_REPLICA_URL", url.replace("@", f":{primary['PASSWORD']}@", 1))
            replica = replica_databases(environ.Env())[REPLICA_DB_ALIAS]
        replica = {**copy.deepcopy(primary), **replica, "NAME": primary["NAME"]}
    else:  # SQLite: the shared in-memory test database, like set_as_test_mirror
        replica = {**copy.deepcopy(primary), "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}}
    connections.settings[REPLICA_DB_ALIAS] = replica
    try:
        yield REPLICA_DB_ALIAS
    finally:
        connections[REPLICA_DB_ALIAS].close()
        if hasattr(connections._connections, REPLICA_DB_ALIAS):
            del connections[REPLICA_DB_ALIAS]
        del connections.settings[REPLICA_DB_ALIAS]


@pytest.mark.django_db
def test_without_a_replica_heavy_reads_use_the_primary():
    if replica_configured():
        pytest.skip("DATABASE_REPLICA_URL is set for this run")
    assert read_replica() == "default"


@ROUTER
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_with_a_replica_heavy_reads_run_there(replica_alias):
    store = LocationFactory(code="MI01", name="Milano Duomo")
    assert read_replica() == "replica"
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert Location.objects.using(read_replica()).get(pk=store.pk).name == "Milano Duomo"
    assert (len(on_replica), len(on_primary)) == (1, 0)


@ROUTER
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_ordinary_reads_stay_on_the_primary_even_with_a_replica(replica_alias):
    store = LocationFactory(code="MI01")
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        Location.objects.get(pk=store.pk)
    assert (len(on_replica), len(on_primary)) == (0, 1)


@ROUTER
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_object_read_from_the_replica_is_saved_to_the_primary(replica_alias):
    store = LocationFactory(code="MI01", name="Milano Duomo")
    copy_from_replica = Location.objects.using(read_replica()).get(pk=store.pk)
    copy_from_replica.name = "Milano Centro"
    with CaptureQueriesContext(connections["default"]) as on_primary:
        copy_from_replica.save(update_fields=["name"])
    assert len(on_primary) == 1
    assert Location.objects.get(pk=store.pk).name == "Milano Centro"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_inside_a_transaction_on_the_primary_heavy_reads_stay_there(replica_alias):
    # The replica cannot see the transaction's own uncommitted writes.
    with transaction.atomic():
        assert read_replica() == "default"
    assert read_replica() == "replica"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_replica_connection_refuses_writes(replica_alias):
    if connections["default"].vendor != "postgresql":
        pytest.skip("read-only sessions are a PostgreSQL setting")
    store = LocationFactory(code="MI01")
    with pytest.raises(DatabaseError, match="read-only"):
        Location.objects.using("replica").filter(pk=store.pk).update(name="nope")


def test_the_router_never_migrates_the_replica_and_relates_objects_of_both():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("replica", "inventory") is False
    assert router.allow_migrate("default", "inventory") is None
    assert router.db_for_write(Location) == "default"
    assert router.db_for_read(Location) is None
    primary_obj, replica_obj = Location(), Location()
    primary_obj._state.db, replica_obj._state.db = "default", "replica"
    assert router.allow_relation(primary_obj, replica_obj) is True
