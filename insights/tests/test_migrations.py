"""The facts move from clienteling to insights without touching a row: a database at main's migrations (facts
under clienteling, their content types and permissions) migrates forward with every row, content type and
permission kept, and back again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# Where main stood before the insights app: the facts were clienteling's.
BEFORE = [("clienteling", "0010_stores_are_platform_locations"), ("insights", None)]
DAY = date(2026, 10, 1)


def _migrate(targets: list[tuple[str, str | None]]):
    return MigrationExecutor(connection).migrate(targets).apps


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def at_main():
    """The database as main's migrations left it; migrated back to the latest state whatever the test does."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_latest())


def _facts_written_by_main(apps) -> dict[str, int]:
    location = apps.get_model("omniportal", "Location").objects.create(
        code="MI01", name="Milano Duomo", kind="store", country="IT", lat=45.4642, lon=9.19
    )
    facts = {
        "cart": apps.get_model("clienteling", "CartDayFact").objects.create(
            day=DAY, store=location, band=0, carts=4, abandoned=3, abandoned_value=Decimal("120.50"), ropo_carts=2
        ),
        "anonymous_cart": apps.get_model("clienteling", "CartDayFact").objects.create(day=DAY, band=9, carts=1),
        "ropo": apps.get_model("clienteling", "RopoDayFact").objects.create(
            day=DAY, store=location, band=0, lag_days=3, carts=2, revenue=Decimal("80.00")
        ),
        "store": apps.get_model("clienteling", "StoreDayFact").objects.create(
            day=DAY, store=location, sales_revenue=Decimal("900.00"), influenced_revenue=Decimal("80.00")
        ),
        "influence": apps.get_model("clienteling", "InfluenceDayFact").objects.create(
            day=DAY, store=location, lag_days=0, revenue=Decimal("80.00")
        ),
        "day": apps.get_model("clienteling", "InsightDay").objects.create(
            day=DAY, rebuilt_at="2026-10-02T02:30:00+02:00", as_of="2026-10-02T02:30:00+02:00", seconds=0.4
        ),
    }
    return {name: fact.pk for name, fact in facts.items()}


def _content_type_and_permission(apps, app_label: str) -> tuple[int, int]:
    content_type, _created = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model="cartdayfact"
    )
    permission, _created = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_cartdayfact", defaults={"name": "Can view cart day fact"}
    )
    return content_type.pk, permission.pk


def test_facts_written_under_clienteling_are_read_by_insights_after_migrating(at_main):
    with pytest.raises(LookupError):
        at_main.get_model("insights", "CartDayFact")
    written = _facts_written_by_main(at_main)
    content_type_id, permission_id = _content_type_and_permission(at_main, "clienteling")

    apps = _migrate(_latest())

    assert apps.get_model("insights", "CartDayFact").objects.get(pk=written["cart"]).abandoned_value == Decimal(
        "120.50"
    )
    assert apps.get_model("insights", "CartDayFact").objects.get(pk=written["anonymous_cart"]).store_id is None
    assert apps.get_model("insights", "RopoDayFact").objects.get(pk=written["ropo"]).revenue == Decimal("80.00")
    assert apps.get_model("insights", "StoreDayFact").objects.get(pk=written["store"]).influenced_revenue == Decimal(
        "80.00"
    )
    assert apps.get_model("insights", "InfluenceDayFact").objects.get(pk=written["influence"]).lag_days == 0
    assert apps.get_model("insights", "InsightDay").objects.get(pk=written["day"]).day == DAY
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=content_type_id)
    assert (content_type.app_label, content_type.model) == ("insights", "cartdayfact")
    assert apps.get_model("auth", "Permission").objects.get(pk=permission_id).content_type_id == content_type_id


def test_migrating_back_returns_the_facts_and_their_content_types_to_clienteling(at_main):
    written = _facts_written_by_main(at_main)
    apps = _migrate(_latest())
    content_type_id, _permission_id = _content_type_and_permission(apps, "insights")

    apps = _migrate(BEFORE)

    assert apps.get_model("clienteling", "CartDayFact").objects.get(pk=written["cart"]).carts == 4
    assert apps.get_model("clienteling", "InsightDay").objects.filter(pk=written["day"]).exists()
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=content_type_id)
    assert content_type.app_label == "clienteling"


def _sales_and_carts_written_by_main(apps, *currencies: str) -> None:
    store = apps.get_model("omniportal", "Location").objects.get(code="MI01")
    for index, currency in enumerate(currencies):
        apps.get_model("orders", "Sale").objects.create(
            external_id=f"POS-{index}", store=store, sold_at="2026-10-01T12:00:00+02:00", currency=currency
        )
        apps.get_model("clienteling", "Cart").objects.create(
            cart_id=f"cart-{index}",
            status="abandoned",
            currency=currency,
            source_updated_at="2026-10-01T10:00:00+02:00",
        )


def test_days_built_by_main_get_the_one_currency_of_the_database(at_main):
    written = _facts_written_by_main(at_main)
    _sales_and_carts_written_by_main(at_main, "EUR", "EUR")

    apps = _migrate(_latest())

    assert apps.get_model("insights", "InsightDay").objects.get(pk=written["day"]).currencies == "EUR"


def test_days_built_by_main_stay_without_a_currency_when_the_database_mixes_them(at_main):
    written = _facts_written_by_main(at_main)
    _sales_and_carts_written_by_main(at_main, "EUR", "CHF")

    apps = _migrate(_latest())

    assert apps.get_model("insights", "InsightDay").objects.get(pk=written["day"]).currencies is None
