from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.factories import CustomerFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_anonymous_person_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_associate_sees_their_store_home_page(client, associate_milano, store_milano):
    client.force_login(associate_milano)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Milano Duomo" in response.content.decode()


def test_home_page_in_italian(client, associate_milano):
    client.force_login(associate_milano)
    response = client.get("/it/")
    assert response.status_code == 200
    assert "Oggi a Milano Duomo" in response.content.decode()


def test_in_store_now_lists_recent_visitors_of_this_store_only(
    client, associate_milano, store_milano, store_roma, django_assert_max_num_queries
):
    recent = CustomerFactory(first_name="Lucia", last_name="Bianchi")
    VisitFactory(store=store_milano, customer=recent, seen_at=timezone.now() - timedelta(minutes=10))
    old = CustomerFactory(first_name="Ugo", last_name="Vecchi")
    VisitFactory(store=store_milano, customer=old, seen_at=timezone.now() - timedelta(hours=3))
    elsewhere = CustomerFactory(first_name="Rita", last_name="Romana")
    VisitFactory(store=store_roma, customer=elsewhere)
    client.force_login(associate_milano)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home") + "?part=in-store-now", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Lucia Bianchi" in body
    assert "Ugo Vecchi" not in body
    assert "Rita Romana" not in body
    assert "<html" not in body  # the partial only


def test_htmx_is_served_from_our_own_static_files(client, associate_milano):
    client.force_login(associate_milano)
    body = client.get(reverse("home")).content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer' in body
    assert "://" not in body.split("<body")[0].replace("http://www.w3.org", "")  # nothing in <head> from elsewhere
    asset = client.get("/static/django_htmx/htmx-2.min.js")
    assert asset.status_code == 200
    assert b"htmx" in b"".join(asset.streaming_content)


@pytest.mark.parametrize(
    ("person", "expected", "hidden"),
    [
        ("associate_milano", ["Customers", "Inventory", "Pickups"], ["Commissions", "Insights", "Network", "Admin"]),
        ("manager_milano", ["Customers", "Inventory", "Pickups", "Commissions", "Insights"], ["Network", "Admin"]),
        ("head_office", ["Customers", "Commissions", "Network", "Insights", "Admin"], []),
    ],
)
def test_navigation_follows_the_role(client, request, store_milano, person, expected, hidden):
    client.force_login(request.getfixturevalue(person))
    nav = client.get(reverse("home")).content.decode().split('class="mainnav"')[1].split("</nav>")[0]
    labels = set(re.findall(r"</svg>(?:<span>)?([^<]+)(?:</span>)?</a>", nav))  # in the bar or under "More"
    for label in expected:
        assert label in labels
    for label in hidden:
        assert label not in labels
