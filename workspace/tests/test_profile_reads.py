"""The 360 profile reads as a person would say it: preferences in words, money with its currency, the customer's
store visits, pictures of the products, and tables that never drop a column."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.factories import VisitFactory
from clienteling.models import ProfileAccess, VisitSource
from inventory.factories import CategoryFactory
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory

pytestmark = pytest.mark.django_db


def _profile(client, person, customer, prefix: str = "") -> str:
    client.force_login(person)
    response = client.get(f"{prefix}/customers/{customer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def giulia_demo_shaped(giulia_online):
    """Giulia with the sizes and preferences the demo and the e-commerce site write."""
    CategoryFactory(code="TES", name="Casa · tessile")
    CategoryFactory(code="INT", name="Intimo e notte")
    giulia_online.sizes = {"top": "S", "bottom": "42", "shoes": "38"}
    giulia_online.preferences = {
        "colours": ["verde salvia", "terracotta"],
        "categories": ["TES", "INT"],
        "contact": "whatsapp",
    }
    giulia_online.save()
    return giulia_online


def test_preferences_are_labelled_words_not_python_lists(client, associate_milano, giulia_demo_shaped):
    body = _profile(client, associate_milano, giulia_demo_shaped)
    assert "['" not in body and "{'" not in body
    for text in ["Trousers and skirts", "sage green and terracotta", "Casa · tessile and Intimo e notte", "WhatsApp"]:
        assert text in body, text


def test_in_italian_lists_join_with_e(client, associate_milano, giulia_demo_shaped):
    body = _profile(client, associate_milano, giulia_demo_shaped, prefix="/it")
    assert "Casa · tessile e Intimo e notte" in body


def test_lifetime_value_and_its_parts_carry_the_currency(client, associate_milano, giulia_online):
    body = _profile(client, associate_milano, giulia_online)
    value = re.search(r'data-testid="lifetime-value">([^<]+)<', body).group(1)
    assert value == "€250.00"
    italian = _profile(client, associate_milano, giulia_online, prefix="/it")
    assert re.search(r'data-testid="lifetime-value">([^<]+)<', italian).group(1) == "250,00\xa0€"


def test_purchases_in_two_currencies_show_a_sum_without_a_sign(client, associate_milano, giulia_online, store_milano):
    SaleFactory(customer=giulia_online, store=store_milano, currency="CHF", total=Decimal("10.00"))
    client.force_login(associate_milano)
    response = client.get(f"/customers/{giulia_online.pk}/")
    assert response.context["lifetime_value"].currency is None
    value = re.search(r'data-testid="lifetime-value">([^<]+)<', response.content.decode()).group(1)
    assert value == "260.00"


def test_a_customer_without_purchases_reads_no_purchases_yet(client, associate_milano, giulia):
    body = _profile(client, associate_milano, giulia)
    assert "No purchases yet." in body


def test_store_visits_are_listed_with_store_time_and_source(client, associate_milano, giulia, store_roma):
    VisitFactory(customer=giulia, store=store_roma, seen_at=timezone.now() - timedelta(days=2), source="loyalty_scan")
    body = _profile(client, associate_milano, giulia)
    visit = body.split('data-testid="visit"')[1].split("</li>")[0]
    assert "Roma Corso" in visit and str(VisitSource.LOYALTY_SCAN.label) in visit
    assert "visits" in ProfileAccess.objects.get().shown


def test_store_visits_stay_hidden_without_consent(client, associate_milano, bruno, store_roma):
    VisitFactory(customer=bruno, store=store_roma)
    body = _profile(client, associate_milano, bruno)
    assert 'id="visits"' not in body and "Roma Corso" not in body


def test_products_are_shown_with_their_picture_and_a_placeholder_without_one(
    client, associate_milano, giulia_online, settings
):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://img.example"]  # the catalogue's image host, allowed by the policy
    body = _profile(client, associate_milano, giulia_online)
    cart = body.split('id="cart"')[1].split("</section>")[0]
    # The jacket has a picture; the line whose SKU is not in the catalogue yet gets the neutral placeholder.
    assert 'src="https://img.example/g.jpg"' in cart and 'data-testid="thumb-none"' in cart
    wishlist = body.split('id="wishlist"')[1].split("</section>")[0]
    assert 'data-testid="thumb-none"' in wishlist  # the scarf has no picture
    events = body.split('id="events"')[1].split("</section>")[0]
    assert events.count('src="https://img.example/g.jpg"') == 3


def test_money_in_cart_wishlist_events_and_orders_carries_its_currency(client, associate_milano, giulia_online):
    body = _profile(client, associate_milano, giulia_online)
    assert "199.00 EUR" not in body and "€199.00" in body  # cart line and the viewed jacket
    assert "€59.00" in body  # the scarf on the wishlist, at today's price
    assert "€190.00" in body and "€60.00" in body  # the order and the in-store sale


def test_every_table_cell_says_what_it_is_so_the_cards_keep_every_column(client, associate_milano, giulia_online):
    body = _profile(client, associate_milano, giulia_online)
    for section, labels in [
        ("cart", ["Qty", "Price", "At Milano Duomo", "Network"]),
        ("wishlist", ["Price", "At Milano Duomo", "Network"]),
        ("orders", ["Channel", "Date", "Status", "Total"]),
    ]:
        part = body.split(f'id="{section}"')[1].split("</section>")[0]
        assert 'class="data cards"' in part, section
        for label in labels:
            assert f'data-label="{label}"' in part, (section, label)


def test_the_profile_header_has_the_customers_initials(client, associate_milano, giulia):
    body = _profile(client, associate_milano, giulia)
    assert re.search(r'class="initials avatar-tone-\d initials-large" aria-hidden="true">GV</span>', body)


def test_the_phone_reads_in_groups_and_dials_as_stored(client, associate_milano, giulia):
    body = _profile(client, associate_milano, giulia)
    assert '<a href="tel:+393471112233">+39 347 111 2233</a>' in body


def test_task_done_is_held_ten_seconds_behind_an_undo(client, associate_milano, giulia, store_milano):
    client.force_login(associate_milano)
    client.post(f"/customers/{giulia.pk}/tasks/", {"title": "Call about the coat"})
    body = client.get(f"/customers/{giulia.pk}/").content.decode()
    task = body.split('data-testid="task"')[1].split("</li>")[0]
    assert "data-undo-row" in body and 'data-undo="Done: Call about the coat"' in task


def test_pictures_preferences_and_visits_add_no_query_beyond_the_bound(
    client, associate_milano, giulia_demo_shaped, store_roma, django_assert_max_num_queries
):
    for days in range(12):
        VisitFactory(customer=giulia_demo_shaped, store=store_roma, seen_at=timezone.now() - timedelta(days=days))
    for _ in range(5):
        order = OrderFactory(customer=giulia_demo_shaped)
        OrderLineFactory(order=order, quantity=1, unit_price=Decimal("10.00"))
    client.force_login(associate_milano)
    client.get(f"/customers/{giulia_demo_shaped.pk}/")  # warm per-process caches
    with django_assert_max_num_queries(18):
        assert client.get(f"/customers/{giulia_demo_shaped.pk}/").status_code == 200


def test_head_office_on_the_whole_network_sees_the_network_but_no_here_column(client, head_office, giulia_online):
    body = _profile(client, head_office, giulia_online)
    cart = body.split('id="cart"')[1].split("</section>")[0]
    assert 'data-label="Network"' in cart and "At this store" not in cart and 'data-testid="atp-here"' not in cart
    wishlist = body.split('id="wishlist"')[1].split("</section>")[0]
    assert 'data-label="Network"' in wishlist and 'data-label="At ' not in wishlist


def test_a_picture_from_a_host_the_policy_does_not_allow_shows_the_placeholder(client, associate_milano, giulia_online):
    # giacca's picture is on https://img.example, which PRODUCT_IMAGE_ORIGINS does not name here: the browser would
    # refuse it (a broken picture and a console error), so the page draws the placeholder.
    body = _profile(client, associate_milano, giulia_online)
    assert "img.example" not in body
    assert 'data-testid="thumb-none"' in body.split('id="cart"')[1].split("</section>")[0]
