from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clienteling.factories import BrowsingEventFactory
from clienteling.models import BrowsingEvent, ProfileAccess
from orders.factories import OrderFactory

pytestmark = pytest.mark.django_db


def url(customer, **params):
    return f"/customers/{customer.pk}/" + (f"?{urlencode(params)}" if params else "")


def test_url_name_is_the_shared_contract(giulia):
    assert reverse("customer-detail", args=[giulia.pk]) == url(giulia)


def test_profile_shows_contact_preferences_tier_value_and_nearest_store(client, associate_milano, giulia_online):
    client.force_login(associate_milano)
    response = client.get(url(giulia_online))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ["giulia.verdi@example.com", "+393471112233", "navy", "Jackets", "Gold", "Milano Duomo", "1.2 km"]:
        assert text in body, text
    # 2 × 100 − 10 online + 60 in store, in the one currency of her purchases
    value = response.context["lifetime_value"]
    assert (value.total, value.orders, value.in_store, value.currency) == (
        Decimal("250.00"),
        Decimal("190.00"),
        Decimal("60.00"),
        "EUR",
    )
    assert "€250.00" in body and "€190.00" in body and "€60.00" in body


def test_cart_lines_show_atp_here_and_in_the_network(client, associate_milano, giulia_online):
    client.force_login(associate_milano)
    response = client.get(url(giulia_online))
    jacket, unknown = response.context["cart_lines"]
    assert (jacket.availability.here, jacket.availability.network) == (2, 2 + 5 + 7)
    assert (unknown.name, unknown.availability.here, unknown.availability.network) == ("NOT-YET-KNOWN", 0, 0)
    (scarf,) = response.context["wishlist_lines"]
    assert (scarf.availability.here, scarf.availability.network) == (0, 4)


def test_inactive_locations_do_not_count_in_the_network(client, associate_milano, giulia_online, store_roma):
    store_roma.active = False
    store_roma.save()
    client.force_login(associate_milano)
    jacket = client.get(url(giulia_online)).context["cart_lines"][0]
    assert jacket.availability.network == 2 + 7


def test_orders_from_every_channel_are_listed(client, associate_milano, giulia_online):
    client.force_login(associate_milano)
    body = client.get(url(giulia_online)).content.decode()
    assert "OP-0000042" in body and "POS-42" in body


def test_recently_viewed_products_show_name_image_price_and_device(client, associate_milano, giulia_online, settings):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://img.example"]  # the catalogue's image host, allowed by the policy
    client.force_login(associate_milano)
    body = client.get(url(giulia_online)).content.decode()
    assert body.count('data-testid="event"') == 3
    assert "Giacca lana" in body and "https://img.example/g.jpg" in body and "199.00" in body and "iPhone" in body


def test_every_profile_view_is_on_the_record(client, associate_milano, giulia, store_milano):
    client.force_login(associate_milano)
    client.get(url(giulia, via="search"))
    access = ProfileAccess.objects.get()
    assert (access.user, access.store, access.customer, access.via) == (
        associate_milano,
        store_milano,
        giulia,
        "search",
    )
    assert "events" in access.shown and "cart" in access.shown


def test_an_unknown_via_is_recorded_as_a_plain_profile_view(client, associate_milano, giulia):
    client.force_login(associate_milano)
    client.get(url(giulia, via="export"))
    client.get(url(giulia, via="<script>"))
    assert list(ProfileAccess.objects.values_list("via", flat=True)) == ["profile", "profile"]


def test_unknown_and_erased_customers_are_404(client, associate_milano, giulia):
    client.force_login(associate_milano)
    assert client.get("/customers/999999/").status_code == 404
    giulia.erased_at = timezone.now()
    giulia.save()
    assert client.get(url(giulia)).status_code == 404
    assert not ProfileAccess.objects.exists()


def test_start_basket_button_posts_to_the_orders_basket_view(client, associate_milano, giulia_online):
    client.force_login(associate_milano)
    body = client.get(url(giulia_online)).content.decode()
    try:
        target = reverse("basket-from-cart", args=[giulia_online.pk])
    except Exception:
        assert 'data-testid="start-basket"' not in body
    else:
        assert f'action="{target}"' in body and 'data-testid="start-basket"' in body


def test_profile_query_count_is_bounded(client, associate_milano, giulia_online, django_assert_max_num_queries):
    client.force_login(associate_milano)
    with django_assert_max_num_queries(18):
        assert client.get(url(giulia_online)).status_code == 200


def _profile_queries(client, customer) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(customer)).status_code == 200
    return len(ctx.captured_queries)


def test_profile_query_count_is_the_same_for_10_and_10_000_events(client, associate_milano, giulia_online, giacca):
    client.force_login(associate_milano)
    now = timezone.now()
    BrowsingEventFactory.create_batch(7, customer=giulia_online, product=giacca, occurred_at=now - timedelta(hours=1))
    _profile_queries(client, giulia_online)  # warm per-process caches (content types, nearest-store index)
    with_10 = _profile_queries(client, giulia_online)
    older = BrowsingEventFactory.build(customer=giulia_online, product=giacca)
    fields = {f.attname: getattr(older, f.attname) for f in BrowsingEvent._meta.concrete_fields if not f.primary_key}
    BrowsingEvent.objects.bulk_create(
        (
            BrowsingEvent(**{**fields, "event_id": uuid.uuid4(), "occurred_at": now - timedelta(days=1, seconds=i)})
            for i in range(9_990)
        ),
        batch_size=2_000,
    )
    assert BrowsingEvent.objects.filter(customer=giulia_online).count() == 10_000
    assert _profile_queries(client, giulia_online) == with_10


def test_older_events_page_by_keyset_without_repeats_or_gaps(client, associate_milano, giulia, giacca):
    client.force_login(associate_milano)
    at = timezone.now()
    # 25 events sharing one timestamp: the id breaks the tie, so paging never skips or repeats one.
    BrowsingEvent.objects.bulk_create(
        BrowsingEventFactory.build(customer=giulia, product=giacca, occurred_at=at) for _ in range(25)
    )
    seen = [event.pk for event in client.get(url(giulia)).context["events"]]
    older = client.get(url(giulia)).context["events_older"]
    while older:
        response = client.get(f"/customers/{giulia.pk}/events/?{older}", HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "<html" not in response.content.decode()
        body = response.content.decode()
        seen += [int(pk) for pk in re.findall(r'data-event-id="(\d+)"', body)]
        match = re.search(r'hx-get="/customers/\d+/events/\?([^"]+)"', body)
        older = html.unescape(match.group(1)) if match else None
    assert sorted(seen, reverse=True) == seen
    assert set(seen) == set(BrowsingEvent.objects.filter(customer=giulia).values_list("pk", flat=True))
    assert len(seen) == 25


def test_older_link_without_javascript_opens_the_profile_at_that_page(client, associate_milano, giulia, giacca):
    client.force_login(associate_milano)
    BrowsingEvent.objects.bulk_create(
        BrowsingEventFactory.build(customer=giulia, product=giacca, occurred_at=timezone.now()) for _ in range(12)
    )
    older = client.get(url(giulia)).context["events_older"]
    response = client.get(f"/customers/{giulia.pk}/events/?{older}")
    assert response.status_code == 302 and response["Location"].startswith(f"/customers/{giulia.pk}/?before=")
    page = client.get(response["Location"])
    assert len(page.context["events"]) == 2


@pytest.mark.parametrize(
    "query", ["before=yesterday&before_id=1", "before_id=abc", "before=2026-01-01T00:00:00&before_id=-4", ""]
)
def test_bad_cursor_is_404_on_the_partial_and_ignored_on_the_page(client, associate_milano, giulia, query):
    client.force_login(associate_milano)
    assert client.get(f"/customers/{giulia.pk}/events/?{query}", HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/customers/{giulia.pk}/?{query}").status_code == 200


def test_events_partial_has_a_bounded_query_count(
    client, associate_milano, giulia, giacca, django_assert_max_num_queries
):
    client.force_login(associate_milano)
    BrowsingEvent.objects.bulk_create(
        BrowsingEventFactory.build(customer=giulia, product=giacca, occurred_at=timezone.now()) for _ in range(30)
    )
    older = client.get(url(giulia)).context["events_older"]
    with django_assert_max_num_queries(8):
        client.get(f"/customers/{giulia.pk}/events/?{older}", HTTP_HX_REQUEST="true")


def test_profile_speaks_italian_under_it(client, associate_milano, giulia_online, bruno):
    client.force_login(associate_milano)
    assert "Carrello online" in client.get(f"/it/customers/{giulia_online.pk}/").content.decode()
    assert "non ha dato il consenso al clienteling" in client.get(f"/it/customers/{bruno.pk}/").content.decode()


def test_orders_link_to_their_page_only_where_this_person_may_open_it(
    client, associate_milano, associate_roma, giulia, store_milano
):
    OrderFactory(customer=giulia, number="OP-MILANO1", channel="endless_aisle", selling_store=store_milano)
    link = 'href="/orders/OP-MILANO1/"'
    client.force_login(associate_milano)
    assert link in client.get(url(giulia)).content.decode()
    client.force_login(associate_roma)
    body = client.get(url(giulia)).content.decode()
    # Roma sees the purchase in the customer's history but not a link to a page that would answer 404.
    assert "OP-MILANO1" in body and link not in body
    assert client.get("/orders/OP-MILANO1/").status_code == 404
